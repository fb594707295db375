import pytest
from django.core.management import CommandError, call_command

from gddt.core.services import system_init
from gddt.offices.models import Office
from gddt.offices.selectors import office_subtree
from gddt.offices.services import OfficeImportFailed, offices_import_csv

pytestmark = pytest.mark.django_db


def test_init_is_safe_to_run_again():
    first = system_init()
    second = system_init()
    assert first == {**second, "sms_templates_added": first["sms_templates_added"]}
    assert first["provinces"] == 34 and first["wards"] == 3321 and first["offices"] == 35
    assert Office.objects.count() == 35


def test_local_offices_are_imported_under_their_province_even_in_any_order():
    created, updated = offices_import_csv(
        text=("code,name,parent_code\n0790601,Điểm tiếp nhận Bình Thạnh 1,07906\n07906,BHXH cơ sở Bình Thạnh,79\n")
    )
    assert (created, updated) == (2, 0)
    point = Office.objects.get(code="0790601")
    assert point.path == "/00/79/07906/0790601/" and point.province_id == "79"
    assert set(office_subtree(Office.objects.get(code="79")).values_list("code", flat=True)) == {
        "79",
        "07906",
        "0790601",
    }
    assert offices_import_csv(text="code,name,parent_code\n07906,BHXH cơ sở Bình Thạnh (mới),79\n") == (0, 1)


@pytest.mark.parametrize(
    "text,fragment",
    [
        ("code,name\n07906,X\n", "header"),
        ("code,name,parent_code\n07906,X,99999\n", "parent office"),
        ("code,name,parent_code\n07906,,79\n", "name is empty"),
        ("code,name,parent_code\n79,Trùng mã tỉnh,00\n", "reference office"),
        ("code,name,parent_code\n0-1,X,79\n", "letters or digits"),
        ("code,name,parent_code\n07906,X,79\n07906,Y,79\n", "twice"),
    ],
)
def test_a_bad_file_is_refused_whole_with_the_line_named(text, fragment):
    before = Office.objects.count()
    with pytest.raises(OfficeImportFailed) as caught:
        offices_import_csv(text=text + "00101,BHXH cơ sở Hoàn Kiếm,01\n")
    assert fragment in str(caught.value)
    assert Office.objects.count() == before


def test_the_command_imports_a_file_and_explains_a_refusal(tmp_path):
    good = tmp_path / "offices.csv"
    good.write_text("code,name,parent_code\n00101,BHXH cơ sở Hoàn Kiếm,01\n", encoding="utf-8")
    call_command("offices", "import", str(good))
    assert Office.objects.get(code="00101").parent.code == "01"
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,parent_code\n00102,X,nope\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 2"):
        call_command("offices", "import", str(bad))
