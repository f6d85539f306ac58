from .urls.public import urlpatterns  # noqa: F401

app_name = "public"
