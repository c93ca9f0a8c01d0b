"""``nctheory gallery``: listed items; its output folder is checked before anything is drawn."""

from nctheory import gallery


def test_list(main_run):
    code, out, _ = main_run("gallery", "--list")
    assert code == 0 and [ln.split()[0] for ln in out.splitlines()] == list(gallery.ITEMS)


def test_output_folder_must_be_writable(main_run, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = main_run("gallery", "hong-ling", "--out", blocker / "sub", "--quick")
    assert code == 2 and err.startswith("nctheory: error: out: cannot create the folder")
