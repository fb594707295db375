"""The required components of product.md that an installation starts with, per category, and their loader. An
administrator may change them later; migration 0002 holds its own frozen copy of these rows."""

from gddt.registrations.models import RequiredComponent

# category -> [(kind, smallest short side in pixels, ID document type for which it is not asked)], in order.
REQUIRED_COMPONENTS: dict[str, list[tuple[str, int, str]]] = {
    "with_id_card": [
        ("id_front", 600, ""),
        ("id_back", 600, "passport"),
        ("portrait", 400, ""),
        ("signed_declaration", 600, ""),
    ],
    "minor_without_id_card": [
        ("portrait", 400, ""),
        ("birth_certificate", 600, ""),
        ("guardian_id_front", 600, ""),
        ("guardian_id_back", 600, ""),
        ("signed_declaration", 600, ""),
    ],
}


def required_components_load() -> int:
    """Adds the components that are missing; changed ones are kept. Answers how many it added."""
    added = 0
    for category, rows in REQUIRED_COMPONENTS.items():
        for position, (kind, min_short_side, except_id_type) in enumerate(rows):
            added += RequiredComponent.objects.get_or_create(
                category=category,
                kind=kind,
                defaults={"min_short_side": min_short_side, "except_id_type": except_id_type, "position": position},
            )[1]
    return added
