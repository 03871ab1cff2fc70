from django.db import migrations


def program_admins_are_staff(apps, schema_editor):
    """Program admins invited before this change lacked is_staff, so the Django admin (their
    fallback) refused them; granting the role now sets it (accounts.services._grant_role)."""
    User = apps.get_model("accounts", "User")
    User.objects.filter(is_program_admin=True, is_staff=False).update(is_staff=True)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_days_away")]

    operations = [migrations.RunPython(program_admins_are_staff, migrations.RunPython.noop)]
