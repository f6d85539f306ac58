from django.conf import settings
from django.core.paginator import Paginator


def paginate(request, queryset, per_page: int | None = None):
    """A page of `queryset` for ?page=N; out-of-range pages fall back to the last page."""
    paginator = Paginator(queryset, per_page or settings.WUSHE_PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))
