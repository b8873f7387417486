"""Regions and cities of Azerbaijan that outreach visits go to (economic regions of 2021)."""

from django.db import migrations

REGIONS = [
    # name, slug, kind, economic region, latitude, longitude
    ("Baku", "baku", "city", "Baku", "40.40930", "49.86710"),
    ("Sumgait", "sumgait", "city", "Absheron-Khizi", "40.58970", "49.66860"),
    ("Khirdalan", "khirdalan", "city", "Absheron-Khizi", "40.44810", "49.75560"),
    ("Ganja", "ganja", "city", "Ganja-Dashkasan", "40.68280", "46.36060"),
    ("Dashkasan", "dashkasan", "district", "Ganja-Dashkasan", "40.52020", "46.07790"),
    ("Gazakh", "gazakh", "district", "Gazakh-Tovuz", "41.09330", "45.36610"),
    ("Tovuz", "tovuz", "district", "Gazakh-Tovuz", "40.99250", "45.62890"),
    ("Guba", "guba", "district", "Guba-Khachmaz", "41.36110", "48.51340"),
    ("Khachmaz", "khachmaz", "district", "Guba-Khachmaz", "41.46350", "48.80600"),
    ("Lankaran", "lankaran", "city", "Lankaran-Astara", "38.75290", "48.85100"),
    ("Astara", "astara", "district", "Lankaran-Astara", "38.45600", "48.87500"),
    ("Shaki", "shaki", "city", "Shaki-Zagatala", "41.19190", "47.17060"),
    ("Zagatala", "zagatala", "district", "Shaki-Zagatala", "41.63160", "46.64330"),
    ("Shirvan", "shirvan", "city", "Shirvan-Salyan", "39.93190", "48.92030"),
    ("Salyan", "salyan", "district", "Shirvan-Salyan", "39.59620", "48.98480"),
    ("Mingachevir", "mingachevir", "city", "Central Aran", "40.76400", "47.05950"),
    ("Yevlakh", "yevlakh", "city", "Central Aran", "40.61830", "47.15010"),
    ("Imishli", "imishli", "district", "Mil-Mughan", "39.87090", "48.05990"),
    ("Shamakhi", "shamakhi", "district", "Mountainous Shirvan", "40.63190", "48.64140"),
    ("Gabala", "gabala", "district", "Shaki-Zagatala", "40.98140", "47.84580"),
    ("Shusha", "shusha", "city", "Karabakh", "39.75800", "46.74900"),
    ("Aghdam", "aghdam", "district", "Karabakh", "39.99110", "46.92780"),
    ("Lachin", "lachin", "district", "East Zangezur", "39.63830", "46.54610"),
    ("Nakhchivan", "nakhchivan", "city", "Nakhchivan", "39.20890", "45.41220"),
]


def seed(apps, schema_editor):
    Region = apps.get_model("events", "Region")
    for name, slug, kind, economic_region, latitude, longitude in REGIONS:
        Region.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "kind": kind,
                "economic_region": economic_region,
                "latitude": latitude,
                "longitude": longitude,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
