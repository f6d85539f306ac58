"""The JSON API root (/api/v1/). Apps contribute routers from their own api.py.

Authentication: the browser session (with CSRF on writes) or a personal token sent as
`Authorization: Bearer <token>`. Every error has one shape:
`{"error": {"code": "...", "message": "<translated>", "fields": {...}}}`.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from wushe.accounts.services import api_token_authenticate


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """Django's session, with the CSRF check on unsafe methods (ninja's django_auth)."""

    param_name = "sessionid"

    def authenticate(self, request, key):
        return request.user if request.user.is_authenticated else None


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


class ErrorOut(Schema):
    error: ErrorDetail


api = NinjaAPI(
    title="Wushe API",
    version="1",
    description="五社联动平台 JSON API. Session or `Authorization: Bearer <token>`.",
    urls_namespace="api-v1",
    auth=[TokenAuth(), SessionAuth(csrf=True)],
    docs_url="/docs",
)


MSG_UNKNOWN_REFERENCE = _("所选记录不存在或不在您的管辖范围内。")


def unknown_reference(field: str) -> ValidationError:
    """A payload names a record (by code or public id) that does not exist or the viewer may not see: 422 on
    that field, worded so it never tells the two apart."""
    return ValidationError({field: ValidationError(MSG_UNKNOWN_REFERENCE, code="unknown")})


def error_response(request, status: int, code: str, message: str, fields: dict | None = None):
    return api.create_response(request, {"error": {"code": code, "message": str(message), "fields": fields or {}}},
                               status=status)


@api.exception_handler(SchemaValidationError)
def _schema_error(request, exc):
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", []) if part not in ("body", "payload", "query")]
        fields.setdefault(".".join(location) or "__all__", []).append(str(error.get("msg", "")))
    return error_response(request, 422, "invalid", _("提交的数据有误，请检查后重试。"), fields)


@api.exception_handler(ValidationError)
def _validation_error(request, exc):
    if hasattr(exc, "error_dict"):
        fields = {name: [str(m) for e in errors for m in e.messages] for name, errors in exc.error_dict.items()}
        message = next(iter(next(iter(fields.values()), [])), _("提交的数据有误。"))
    else:
        fields, message = {}, "；".join(str(m) for m in exc.messages)
    return error_response(request, 422, "invalid", message, fields)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error_response(request, 404, "not_found", _("未找到该记录。"))


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return error_response(request, 403, "forbidden", _("您没有执行此操作的权限。"))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return error_response(request, 401, "unauthenticated", _("请先登录或提供有效的API令牌。"))


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return error_response(request, exc.status_code, "error", str(exc.message))


def _include_routers() -> None:
    from wushe.activities.api import groups_router
    from wushe.activities.api import router as activities_router
    from wushe.cases.api import router as cases_router
    from wushe.imports.api import router as imports_router
    from wushe.orgs.api import router as orgs_router
    from wushe.people.api import router as people_router
    from wushe.projects.api import router as projects_router
    from wushe.regions.api import router as regions_router
    from wushe.surveys.api import router as surveys_router
    from wushe.volunteers.api import router as volunteers_router
    from wushe.volunteers.api_records import router as volunteer_records_router
    from wushe.workforce.api import router as workforce_router

    api.add_router("/regions", regions_router)
    api.add_router("/people", people_router)
    api.add_router("/orgs", orgs_router)
    api.add_router("/workforce", workforce_router)
    api.add_router("/volunteers", volunteers_router)
    api.add_router("/imports", imports_router)
    api.add_router("/projects", projects_router)
    # Services to people (tag `services`): activities, group work, case work, volunteer hours and records.
    api.add_router("/services/activities", activities_router)
    api.add_router("/services/groups", groups_router)
    api.add_router("/services/cases", cases_router)
    api.add_router("/services/volunteer-records", volunteer_records_router)
    api.add_router("/surveys", surveys_router)


_include_routers()
