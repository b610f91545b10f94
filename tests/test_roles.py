"""A role for every file, without a display: the guess and why, label tables, FILE:ROLE:key=value."""

import numpy as np
import pytest

import brainview as bv
from brainview.gui.cli import main
from brainview.gui.file_roles import MASK_COLOR, guess_role, parse_file_arg
from brainview.gui.files import Choices, open_files

from conftest import read_png
from trial_files import write_trial_files


@pytest.fixture(scope="module")
def trial(tmp_path_factory):
    return write_trial_files(tmp_path_factory.mktemp("trial"))


def test_probabilistic_atlas_with_its_tsv_opens_as_a_probabilistic_atlas_not_grey_anatomy(trial):
    guess = guess_role(trial["prob"])
    assert guess.role == "prob_atlas" and not guess.uncertain
    assert "3 volumes" in guess.why and "HarvardOxford-cort-prob-3mm.tsv" in guess.why
    opened = open_files([trial["prob"]])
    atlas, = opened.layers
    assert atlas.kind == "atlas" and atlas.probabilistic
    assert atlas.names == ["Frontal", "Parietal", "Temporal"]  # the table numbered from 0 names map k
    assert not any("holds 3 volumes; showing volume 0" in note for note in opened.notes)


def test_binary_roi_opens_as_a_filled_mask_never_an_all_black_picture(trial, tmp_path, capsys):
    guess = guess_role(trial["roi"])
    assert guess.role == "mask" and "only 0 and 1" in guess.why
    out = tmp_path / "roi.png"
    assert main([str(trial["roi"]), "--screenshot", str(out), "--size", "120", "90"]) == 0
    assert "opened as mask / ROI" in capsys.readouterr().err  # the decision is said, with why
    image = read_png(out)[..., :3].astype(int)
    orange = (image[..., 0] > 100) & (image[..., 0] > image[..., 2] + 60)
    assert orange.sum() > 50, "the ROI is not drawn in the mask colour"
    assert MASK_COLOR[0] > MASK_COLOR[2]


def test_atlas_with_a_csv_lut_beside_it_is_accepted(trial):
    opened = open_files([trial["atlas"]])
    atlas, = opened.layers
    assert atlas.kind == "atlas" and atlas.names == ["Left thing", "Right thing"]
    assert any("region names from 'myatlas.csv'" in note for note in opened.notes)


def test_label_table_that_does_not_match_the_image_is_ignored_with_a_note(trial):
    guess = guess_role(trial["wrong"])
    assert guess.role == "atlas"
    opened = open_files([trial["wrong"]])
    atlas, = opened.layers
    assert atlas.names == ["label 1", "label 2"]  # not 'seven', 'eight'
    note, = [note for note in opened.notes if "regions.tsv" in note]
    assert "ignored" in note and "7, 8" in note and "1, 2" in note


def test_subject_anatomy_with_negative_values_is_not_silently_a_stat_map_over_mni(trial):
    guess = guess_role(trial["anat"])
    assert guess.role == "anatomy" and guess.uncertain  # the app asks
    opened = open_files([trial["anat"]])
    assert [layer.kind for layer in opened.layers] == ["slices"]  # no MNI template under it
    note, = [note for note in opened.notes if "sub-01" in note]
    assert "negative values" in note and "subject space" in note and ":ROLE" in note
    # Said to be a map, it is one (on the template), and the message says the template will not line up.
    opened = open_files([trial["anat"]], Choices(roles={trial["anat"]: "map"}))
    assert [layer.kind for layer in opened.layers] == ["slices", "stat_map"]
    note, = opened.notes
    assert "not over the MNI brain" in note and "will not line up" in note


def test_per_file_roles_and_options_reach_the_layers(trial):
    specs = [parse_file_arg(f"{trial['anat']}:anat"), parse_file_arg(f"{trial['anat']}:map:threshold=3.1"),
             parse_file_arg(f"{trial['roi']}:mask"), parse_file_arg(f"{trial['atlas']}:atlas:labels={trial['lut']}")]
    assert specs[1].options == {"threshold": 3.1} and specs[2].role == "mask"
    opened = open_files([s.path for s in specs[1:]],
                        Choices(roles={s.path: s.role for s in specs[1:]},
                                options={s.path: s.options for s in specs[1:] if s.options}))
    kinds = {layer.kind: layer for layer in opened.layers}
    assert kinds["stat_map"].threshold == 3.1
    assert kinds["contour"].level_values == [0.5]
    assert kinds["atlas"].names == ["Alpha", "Beta"]  # labels= wins over the table beside


def test_option_values_are_python_literals_or_text():
    arg = parse_file_arg("zmap.nii.gz:map:threshold=3.1:cmap=RdBu_r:vmax=None:cut_coords=(0, 1, 2)")
    assert arg.options == {"threshold": 3.1, "cmap": "RdBu_r", "vmax": None, "cut_coords": (0, 1, 2)}
    assert parse_file_arg("zmap.nii.gz").role is None


def test_command_bad_option_key_is_one_line_naming_the_key_and_the_valid_ones(trial, capsys):
    assert main([f"{trial['roi']}:map:treshold=3", "--screenshot", "never.png"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "treshold" in err and "valid:" in err and "threshold" in err


def test_command_bad_value_and_unknown_role_are_refused(trial, capsys):
    assert main([f"{trial['atlas']}:atlas:opacity=2", "--screenshot", "never.png"]) == 1
    assert "opacity" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main([f"{trial['roi']}:blob", "--screenshot", "never.png"])
    assert exit_.value.code == 2 and "unknown role 'blob'" in capsys.readouterr().err


def test_a_role_the_file_cannot_have_is_refused_with_the_roles_it_can(trial):
    with pytest.raises(bv.BrainviewError, match=r"cannot be opened as surface.*anatomy, map, atlas"):
        open_files([trial["roi"]], Choices(roles={trial["roi"]: "surface"}))


def test_integer_anatomy_is_a_sure_guess_and_a_few_integer_values_are_not(trial, tmp_path):
    import nibabel as nib

    rng = np.random.default_rng(1)
    path = tmp_path / "image.nii.gz"
    nib.save(nib.Nifti1Image(rng.integers(0, 4000, (20, 20, 20)).astype(np.int16), np.eye(4)), path)
    assert (guess_role(path).role, guess_role(path).uncertain) == ("anatomy", False)
    nib.save(nib.Nifti1Image(rng.integers(0, 5, (20, 20, 20)).astype(np.int16), np.eye(4)), path)
    assert (guess_role(path).role, guess_role(path).uncertain) == ("anatomy", True)
