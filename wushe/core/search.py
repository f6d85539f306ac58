from django.db.models import Q, QuerySet

from .text import search_terms


def apply_search(queryset: QuerySet, query: str, field: str = "search_text") -> QuerySet:
    """Every term of the query must match the record's search text (name, pinyin, initials, words)."""
    query = (query or "").strip()
    if not query:
        return queryset
    condition = Q()
    for term in search_terms(query):
        condition &= Q(**{f"{field}__icontains": term})
    return queryset.filter(condition)
