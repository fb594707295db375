"""The required components of product.md, as data an administrator may change later. Used by the
migration that adds them and by tests that reload reference data after a flush."""

TABLE = {
    "with_id_card": [("id_front", 600, ""), ("id_back", 600, "passport"), ("portrait", 400, ""),
                     ("signed_declaration", 600, "")],
    "minor_without_id_card": [("portrait", 400, ""), ("birth_certificate", 600, ""),
                              ("guardian_id_front", 600, ""), ("guardian_id_back", 600, ""),
                              ("signed_declaration", 600, "")],
}


def components_load(apps) -> None:
    component = apps.get_model("registrations", "RequiredComponent")
    for category, rows in TABLE.items():
        for position, (kind, min_short_side, except_id_type) in enumerate(rows):
            component.objects.get_or_create(category=category, kind=kind, defaults={
                "min_short_side": min_short_side, "except_id_type": except_id_type, "position": position})
