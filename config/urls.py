from django.contrib import admin
from django.urls import include, path

from wushe.core.api import api

urlpatterns = [
    path("", include("wushe.core.urls")),
    path("accounts/", include("wushe.accounts.urls")),
    path("regions/", include("wushe.regions.urls")),
    path("people/", include("wushe.people.urls")),
    path("orgs/", include("wushe.orgs.urls")),
    path("workforce/", include("wushe.workforce.urls")),
    path("volunteers/", include("wushe.volunteers.urls")),
    path("imports/", include("wushe.imports.urls")),
    path("projects/", include("wushe.projects.urls")),
    path("activities/", include("wushe.activities.urls")),
    path("signin/", include("wushe.activities.urls.signin")),
    path("cases/", include("wushe.cases.urls")),
    path("surveys/", include("wushe.surveys.urls")),
    path("s/", include("wushe.surveys.urls.public")),
    path("public/volunteer-records/", include("wushe.volunteers.public_urls")),
    path("public/", include("wushe.projects.public_urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
