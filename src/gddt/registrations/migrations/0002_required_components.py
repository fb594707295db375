"""The required components of product.md, as data an administrator may change later."""

from django.db import migrations

from gddt.registrations.migrations._components import components_load


def add_components(apps, schema_editor):
    components_load(apps)


def remove_components(apps, schema_editor):
    apps.get_model("registrations", "RequiredComponent").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("registrations", "0001_initial")]
    operations = [migrations.RunPython(add_components, remove_components)]
