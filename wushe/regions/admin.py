from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Region


@admin.register(Region)
class RegionAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "level", "urban_rural_class", "revoked_on"]
    list_filter = ["level", "urban_rural_class"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent", "replaced_by"]
