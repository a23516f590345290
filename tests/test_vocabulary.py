"""The words hidden feedback may use: files of the manifest and names of the starter code."""

from autograder.grading.vocabulary import Vocabulary, definitions, enclosing

STARTER = b'''
class _baseNetwork:
    def __init__(self):
        pass

    def ReLU(self, x):
        raise NotImplementedError

    class Inner:
        def go(self):
            pass


def helper():
    def nested():
        pass
'''

SUBMITTED = '''
class _baseNetwork:
    def __init__(self):
        pass

    def ReLU(self, x):
        return secret_helper_5_1_7(x)


def secret_helper_5_1_7(x):
    raise ValueError(x)
'''


def vocab() -> Vocabulary:
    return Vocabulary.from_starter({"models/base.py": STARTER, "utils.py": b"def load():\n    pass\n"},
                                   ["models/base.py", "utils.py", "notes.txt"])


def test_definitions_are_the_starter_names_a_student_completes():
    assert definitions(STARTER.decode()) == ["_baseNetwork", "_baseNetwork.__init__", "_baseNetwork.ReLU",
                                             "_baseNetwork.Inner", "_baseNetwork.Inner.go", "helper"]
    assert definitions("def broken(:\n") == []
    assert enclosing(STARTER.decode(), 7) == ["_baseNetwork.ReLU", "_baseNetwork"]
    assert enclosing(STARTER.decode(), 1) == []


def test_an_authors_where_keeps_only_vocabulary_words():
    v = vocab()
    assert v.match("models/base.py, _baseNetwork.ReLU (0 at exactly 0; stride 3)") == "models/base.py, _baseNetwork.ReLU"
    assert v.match("models/base.py ReLU") == "models/base.py, _baseNetwork.ReLU"
    assert v.match("_baseNetwork.ReLU") == "models/base.py, _baseNetwork.ReLU"
    assert v.match("utils.py, load with 17 batches of size 5") == "utils.py, load"
    assert v.match("models/base.py, secret_helper_5_1_7") == "models/base.py"
    assert v.match("the batch of size 5177") == "" and v.match("") == ""


def test_a_dotted_path_the_test_called_maps_to_a_place():
    v = vocab()
    assert v.from_path("models.base._baseNetwork.ReLU") == "models/base.py, _baseNetwork.ReLU"
    assert v.from_path("models.base._baseNetwork.weights") == "models/base.py, _baseNetwork"
    assert v.from_path("a1_probes.train_on_digits") == "" and v.from_path("") == ""


def test_a_line_maps_to_the_starter_function_around_it_in_the_pristine_copy(tmp_path):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "base.py").write_text(SUBMITTED)
    v = vocab()
    helper_line = SUBMITTED.splitlines().index("    raise ValueError(x)") + 1
    relu_line = SUBMITTED.splitlines().index("        return secret_helper_5_1_7(x)") + 1
    frames = [["models/base.py", relu_line], ["models/base.py", helper_line]]
    assert v.locate(frames, tmp_path) == "models/base.py, _baseNetwork.ReLU"    # the helper is not a word
    assert v.locate([["models/base.py", helper_line]], tmp_path) == "models/base.py"
    assert v.locate([["secret_5_1_7.py", 3], ["models/base.py", 99999]], tmp_path) == "models/base.py"
    assert v.locate([["/etc/passwd", 1], "junk", ["utils.py", "3"]], tmp_path) == ""


def test_without_a_recorded_vocabulary_only_file_names_are_words(tmp_path):
    v = Vocabulary.load(tmp_path / "missing.json", ["models/base.py"])
    assert v.match("models/base.py, _baseNetwork.ReLU") == "models/base.py"
    path = tmp_path / "vocabulary.json"
    path.write_bytes(vocab().to_json())
    assert Vocabulary.load(path, ["models/base.py"]).match("ReLU") == "models/base.py, _baseNetwork.ReLU"
