"""Region names in Azerbaijani spelling, shown in the Azerbaijani interface and API."""

from django.db import migrations, models

NAMES_AZ = {
    "baku": "Bakı",
    "sumgait": "Sumqayıt",
    "khirdalan": "Xırdalan",
    "ganja": "Gəncə",
    "dashkasan": "Daşkəsən",
    "gazakh": "Qazax",
    "tovuz": "Tovuz",
    "guba": "Quba",
    "khachmaz": "Xaçmaz",
    "lankaran": "Lənkəran",
    "astara": "Astara",
    "shaki": "Şəki",
    "zagatala": "Zaqatala",
    "shirvan": "Şirvan",
    "salyan": "Salyan",
    "mingachevir": "Mingəçevir",
    "yevlakh": "Yevlax",
    "imishli": "İmişli",
    "shamakhi": "Şamaxı",
    "gabala": "Qəbələ",
    "shusha": "Şuşa",
    "aghdam": "Ağdam",
    "lachin": "Laçın",
    "nakhchivan": "Naxçıvan",
}


def name_regions(apps, schema_editor):
    Region = apps.get_model("events", "Region")
    for slug, name_az in NAMES_AZ.items():
        Region.objects.filter(slug=slug, name_az="").update(name_az=name_az)


class Migration(migrations.Migration):
    dependencies = [("events", "0009_event_party_and_sectors")]

    operations = [
        migrations.AddField(
            model_name="region",
            name="name_az",
            field=models.CharField(blank=True, help_text="In Azerbaijani spelling: Şəki.", max_length=100),
        ),
        migrations.AlterField(
            model_name="region",
            name="name",
            field=models.CharField(help_text="In English (Latin) spelling: Shaki.", max_length=100, unique=True),
        ),
        migrations.RunPython(name_regions, migrations.RunPython.noop),
    ]
