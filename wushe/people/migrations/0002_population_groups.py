from django.db import migrations

# The population groups of PRODUCT.md; names are Chinese source strings shown through translation.
GROUPS = [
    ("left_behind_children", "留守儿童", True),
    ("left_behind_elderly", "留守老人", True),
    ("left_behind_women", "留守妇女", True),
    ("children_in_difficulty", "困境儿童", True),
    ("migrant", "流动人口", False),
    ("migrant_children", "流动儿童", True),
    ("empty_nest_elderly", "空巢老人", False),
    ("oldest_old", "高龄老人", False),
    ("disabled_elderly", "失能老人", True),
    ("disability", "残障人士", True),
    ("bereaved_single_child", "失独家庭", True),
    ("single_parent", "单亲家庭", True),
    ("extreme_poverty", "特困人员", True),
    ("ethnic_minority", "少数民族", True),
    ("relocated", "易地搬迁群众", False),
]


def add_groups(apps, schema_editor):
    group_model = apps.get_model("people", "PopulationGroup")
    for order, (code, name, sensitive) in enumerate(GROUPS):
        group_model.objects.update_or_create(code=code, defaults={"name": name, "is_sensitive": sensitive,
                                                                  "sort_order": order})


def remove_groups(apps, schema_editor):
    apps.get_model("people", "PopulationGroup").objects.filter(code__in=[g[0] for g in GROUPS]).delete()


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(add_groups, remove_groups)]
