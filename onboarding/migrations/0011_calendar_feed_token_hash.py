"""Calendar-feed tokens are stored as their SHA-256 (issue 16): existing tokens keep working."""

import hashlib

from django.db import migrations


def hash_tokens(apps, schema_editor):
    CalendarFeed = apps.get_model("onboarding", "CalendarFeed")
    for feed in CalendarFeed.objects.all():
        feed.token_hash = hashlib.sha256(feed.token_hash.encode()).hexdigest()
        feed.save(update_fields=["token_hash"])


class Migration(migrations.Migration):
    dependencies = [("onboarding", "0010_reminder_due_user_index")]

    operations = [
        migrations.RenameField("calendarfeed", "token", "token_hash"),
        # A hash cannot be turned back into its token: going back leaves every feed off.
        migrations.RunPython(hash_tokens, migrations.RunPython.noop),
    ]
