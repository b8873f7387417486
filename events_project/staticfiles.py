"""Static files in production: whitenoise's compressed, hashed-name storage.

Vendored minified libraries end with a ``sourceMappingURL`` comment but ship without the map;
Django's manifest storage would then refuse to collect them. Source maps are for debugging a
library, not for running the service, so those comments are left alone: only CSS ``url()``
and ``@import`` references are rewritten to hashed names.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    patterns = (
        (
            "*.css",
            (
                r"""(?P<matched>url\(['"]{0,1}\s*(?P<url>.*?)["']{0,1}\))""",
                (r"""(?P<matched>@import\s*["']\s*(?P<url>.*?)["'])""", """@import url("%(url)s")"""),
            ),
        ),
    )
