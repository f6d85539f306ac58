import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from wushe.accounts.policy import MATRIX, Action, Resource
from wushe.accounts.roles import Role
from wushe.core.management.commands import permissions_doc
from wushe.core.masking import mask_id_number


def test_committed_doc_is_up_to_date():
    call_command("permissions_doc", "--check")


def test_check_fails_on_a_stale_file(tmp_path):
    path = tmp_path / "permissions.md"
    with pytest.raises(CommandError, match="已过期"):
        call_command("permissions_doc", "--check", "--output", str(path))  # missing
    call_command("permissions_doc", "--output", str(path))
    call_command("permissions_doc", "--check", "--output", str(path))
    path.write_text(path.read_text(encoding="utf-8").replace("✓", "—", 1), encoding="utf-8")
    with pytest.raises(CommandError, match="已过期"):
        call_command("permissions_doc", "--check", "--output", str(path))


def test_doc_follows_the_matrix():
    text = permissions_doc.render()
    for role in Role:
        assert f"`{role.value}`" in text and str(role.label) in text
    for resource in MATRIX:
        assert f"(`{resource.value}`)" in text
    # One row per role with access, one cell per action of that resource.
    section = text.split("(`resident`)")[1].split("###")[0]
    actions = [a for a in Action if a in MATRIX[Resource.RESIDENT]]
    for role in Role:
        row = next((line for line in section.splitlines() if f"`{role.value}` |" in line), None)
        allowed = [role in MATRIX[Resource.RESIDENT][a] for a in actions]
        if not any(allowed):
            assert row is None and f"{role.label} `{role.value}`" in section.split("No access:")[1]
            continue
        cells = [c.strip() for c in row.strip("|").split("|")][1:-1]
        assert cells == ["✓" if ok else "—" for ok in allowed]
    assert "own record" in section and "404" in text and "403" in text
    assert mask_id_number("11010519491231002X") in text


def test_doc_does_not_depend_on_the_active_language():
    with translation.override("en"):
        english = permissions_doc.render()
    assert english == permissions_doc.render()
