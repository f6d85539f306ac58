from .models import ApiToken


def api_tokens_of(user):
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at")
