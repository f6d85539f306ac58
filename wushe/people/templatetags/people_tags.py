from django import template

from wushe.people.selectors import shown_id_number, shown_phone

register = template.Library()


@register.filter
def id_number_shown(resident) -> str:
    """{{ resident|id_number_shown }}: masked unless the row carries identity_visible=True."""
    return shown_id_number(resident)


@register.filter
def phone_shown(resident) -> str:
    return shown_phone(resident)
