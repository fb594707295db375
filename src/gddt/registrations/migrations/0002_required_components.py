"""The required components of product.md, as data an administrator may change later. The rows are a frozen copy
(gddt.registrations.components holds the live table): a migration never imports app code."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

ROWS = {
    "with_id_card": [("id_front", 600, ""), ("id_back", 600, "passport"), ("portrait", 400, ""),
                     ("signed_declaration", 600, "")],
    "minor_without_id_card": [("portrait", 400, ""), ("birth_certificate", 600, ""),
                              ("guardian_id_front", 600, ""), ("guardian_id_back", 600, ""),
                              ("signed_declaration", 600, "")],
}


def add_components(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    component = apps.get_model("registrations", "RequiredComponent")
    for category, rows in ROWS.items():
        for position, (kind, min_short_side, except_id_type) in enumerate(rows):
            component.objects.get_or_create(category=category, kind=kind, defaults={
                "min_short_side": min_short_side, "except_id_type": except_id_type, "position": position})


def remove_components(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("registrations", "RequiredComponent").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("registrations", "0001_initial")]
    operations = [migrations.RunPython(add_components, remove_components)]
