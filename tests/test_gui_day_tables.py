"""Label tables as a neuroscientist's files hold them, read beside an atlas (issue 24's day of work).

Bug: a table saved by a spreadsheet (a byte-order mark, semicolons), one headed ``label,name`` or
``id,label``, and an FSLeyes ``.lut`` gave region names such as ``'1,Left thing'`` or
``'0.5 0.3 0.2 Left thing'``: every line, header included, taken as a name.
"""

import nibabel as nib
import numpy as np
import pytest

from brainview.gui.files import open_files
from brainview.gui.label_tables import label_table_beside, read_label_table

NAMES = ["Left thing", "Right thing"]
TABLES = {
    "excel_bom.csv": "\ufeffindex,name\r\n1,Left thing\r\n2,Right thing\r\n",
    "semicolons.csv": "index;name\n1;Left thing\n2;Right thing\n",
    "label_name.csv": "label,name\n1,Left thing\n2,Right thing\n",
    "id_label.tsv": "id\tlabel\n1\tLeft thing\n2\tRight thing\n",
    "fsleyes.lut": "1 0.5 0.3 0.2 Left thing\n2 0.1 0.9 0.2 Right thing\n",
}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_spreadsheet_and_fsleyes_tables_gave_whole_lines_as_region_names(tmp_path, name):
    path = tmp_path / name
    path.write_text(TABLES[name], encoding="utf-8")
    lut = read_label_table(path)["lut"]
    assert lut["index"] == [1, 2] and lut["name"] == NAMES
    if name.endswith(".lut"):  # FSLeyes' colours, 0 to 1
        assert lut["color"] == ["#804c33", "#1ae633"]


def test_an_fsleyes_lut_beside_an_atlas_names_and_colours_its_regions(tmp_path):
    data = np.zeros((8, 8, 8), np.int16)
    data[1:3, 1:3, 1:3], data[5:7, 5:7, 5:7] = 1, 2
    atlas = tmp_path / "myatlas.nii.gz"
    nib.save(nib.Nifti1Image(data, np.eye(4)), atlas)
    (tmp_path / "myatlas.lut").write_text(TABLES["fsleyes.lut"])
    assert label_table_beside(atlas) == tmp_path / "myatlas.lut"
    opened = open_files([atlas])
    layer, = opened.layers
    assert layer.kind == "atlas" and layer.names == NAMES
    assert "region names from 'myatlas.lut'" in " ".join(opened.notes)
