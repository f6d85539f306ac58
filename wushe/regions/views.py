from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from wushe.accounts.policy import Action, Resource, can, get_object_for
from wushe.core.history import history_for
from wushe.core.pagination import paginate

from .models import Level, Region
from .selectors import region_list


@login_required
def region_list_view(request):
    level = request.GET.get("level")
    regions = region_list(request.user, query=request.GET.get("q", "").strip(),
                          level=int(level) if level and level.isdigit() else None,
                          include_revoked=request.GET.get("revoked") == "1")
    page = paginate(request, regions)
    template = "regions/region_list.html#rows" if request.htmx else "regions/region_list.html"
    return render(request, template, {"page": page, "levels": Level.choices})


@login_required
def region_detail(request, code):
    region = get_object_for(request.user, Resource.REGION, Region.objects.select_related("parent", "replaced_by"),
                            code=code)
    children = region.children.order_by("code")
    context = {"region": region, "children": children, "ancestors": region.ancestors()}
    if can(request.user, Action.HISTORY, Resource.REGION, region):
        context["history"] = history_for(region)
    return render(request, "regions/region_detail.html", context)
