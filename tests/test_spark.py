"""The Spark backend: DuckDB SQL translated to Spark SQL, and parity of scores between the two engines.

The translation tests run everywhere (sqlglot only). The Spark tests need pyspark and Java; without them
they are skipped with the reason shown by ``pytest -rs``.
"""

from __future__ import annotations

import logging
import shutil

import pytest

from linkmiskin.spark_backend import spark_model, to_spark_sql

pytestmark = pytest.mark.spark


# ------------------------------------------------------------------------------ translation (no Spark)
def test_len_of_a_list_becomes_size():
    assert to_spark_sql('len("t_l") <= len("t_r")') == (
        "IF(`t_l` IS NULL, NULL, SIZE(`t_l`)) <= IF(`t_r` IS NULL, NULL, SIZE(`t_r`))")


def test_list_functions():
    assert to_spark_sql('list_has_all("a_l", "b_r")') == "FORALL(`b_r`, lm_e -> ARRAY_CONTAINS(`a_l`, lm_e))"
    assert to_spark_sql('list_has_any("a_l", "b_r")') == "ARRAYS_OVERLAP(`a_l`, `b_r`)"
    assert to_spark_sql('list_contains("a_l", x)') == "ARRAY_CONTAINS(`a_l`, x)"


def test_nested_lambdas_become_forall_and_exists():
    sql = ('list_bool_and(list_transform("s", lambda x: list_contains("l", x) OR '
           'list_bool_or(list_transform("l", lambda y: damerau_levenshtein(x, y) <= 1))))')
    assert to_spark_sql(sql) == ("FORALL(`s`, x -> ARRAY_CONTAINS(`l`, x) OR "
                                 "EXISTS(`l`, y -> DAMERAU_LEVENSHTEIN(x, y) <= 1))")


def test_jaro_winkler_and_hamming():
    assert to_spark_sql('jaro_winkler_similarity("n_l", "n_r") >= 0.9') == "LM_JARO_WINKLER(`n_l`, `n_r`) >= 0.9"
    out = to_spark_sql('hamming("a", "b") = 1')
    assert out.startswith("CASE WHEN LENGTH(`a`) <> LENGTH(`b`) THEN NULL ELSE SIZE(FILTER(")
    assert "hamming" not in out.lower()


def test_bit_mask_try_cast_and_else_pass_through():
    assert to_spark_sql('("m_l" & "m_r") <> 0') == "(`m_l` & `m_r`) <> 0"
    assert to_spark_sql('try_cast(substr("d_l", 1, 4) AS INTEGER)') == "TRY_CAST(SUBSTRING(`d_l`, 1, 4) AS INT)"
    assert to_spark_sql("ELSE") == "ELSE"


def test_no_duckdb_only_function_survives_in_the_model():
    """Every level of every linkmiskin comparison translates to SQL free of DuckDB-only names."""
    from splink.internals.dialects import SplinkDialect

    from linkmiskin.scoring.model import _anchor_comparisons, comparisons

    duck = SplinkDialect.from_string("duckdb")
    banned = ("list_", "len(", "hamming", "jaro_winkler_similarity", "jarowinkler", "lambda", '"', "&&")
    for comp in comparisons() + _anchor_comparisons():
        for lv in comp.create_comparison_levels():
            out = to_spark_sql(lv.create_sql(duck)).lower()
            assert not [b for b in banned if b in out], (comp.create_output_column_name(), out)


def test_spark_model_translates_levels_and_rules_and_marks_the_dialect():
    model = {"sql_dialect": "duckdb",
             "blocking_rules_to_generate_predictions": [{"blocking_rule": 'l."nik15" = r."nik15"'}],
             "comparisons": [{"output_column_name": "name", "comparison_levels": [
                 {"sql_condition": '"name_l" IS NULL', "is_null_level": True},
                 {"sql_condition": 'jaro_winkler_similarity("name_l", "name_r") >= 0.9'},
                 {"sql_condition": "ELSE"}]}]}
    out = spark_model(model)
    assert out["sql_dialect"] == "spark"
    assert [lv["sql_condition"] for lv in out["comparisons"][0]["comparison_levels"]] == [
        "`name_l` IS NULL", "LM_JARO_WINKLER(`name_l`, `name_r`) >= 0.9", "ELSE"]
    assert out["blocking_rules_to_generate_predictions"][0]["blocking_rule"] == "l.`nik15` = r.`nik15`"
    assert model["sql_dialect"] == "duckdb"  # the input is not changed


# ------------------------------------------------------------------------------------ on local Spark
@pytest.fixture(scope="module")
def spark():
    pytest.importorskip("pyspark", reason="pyspark is not installed (pip install 'linkmiskin[spark]')")
    if shutil.which("java") is None:  # pragma: no cover - depends on the machine
        pytest.skip("Java is not installed: the Spark tests need Java 17+")
    from linkmiskin.spark_backend import spark_session

    # one shuffle partition: a few hundred records, and Spark's per-task overhead dominates; that one task
    # trains with every comparison, so the driver gets 6 GB (2 GB ran out once late in the full suite, 3 GB in
    # Splink's m/u counts once the model had its name_in_kecamatan comparison, and 5 GB there once the file had one
    # more linking test before it)
    s = spark_session("local[1]", conf={"spark.sql.shuffle.partitions": "1", "spark.default.parallelism": "1",
                                        "spark.driver.memory": "6g"})
    yield s


@pytest.fixture(autouse=True)
def _spark_cache_cleared_after_each_test(request):
    """The tests share one Spark session: what one test's linking cached is dropped when it ends, so that the
    heap holds one test's tables at a time (Splink's training ran out of 5 GB late in the file otherwise)."""
    yield
    if "spark" in request.fixturenames:
        s = request.getfixturevalue("spark")
        s.catalog.clearCache()
        s._jvm.System.gc()


@pytest.fixture(scope="module")
def duck_linker():
    import linkmiskin as lm

    d = lm.synthetic.generate(households=60, seed=1)
    linker = lm.Linker(d.sources, region=d.region, progress=False)
    linker.train()
    return linker


#: a wide blocking rule for the parity test: every pair in a kecamatan, so that every level is exercised
_WIDE = [{"blocking_rule": 'l."kecamatan_code" = r."kecamatan_code"', "sql_dialect": "duckdb"}]


def _gammas(model: dict) -> list[str]:
    return [f"gamma_{c['output_column_name']}" for c in model["comparisons"]]


def test_duckdb_trained_model_scores_identically_on_spark(spark, duck_linker):
    """The same pairs, scored by DuckDB and by Spark: every comparison vector value and probability equal."""
    from splink import Linker as SplinkLinker
    from splink.backends.spark import SparkAPI

    from linkmiskin.scoring.comparisons import gamma_of
    from linkmiskin.scoring.model import comparisons
    from linkmiskin.spark_backend import to_spark_records

    model = {**duck_linker.model, "blocking_rules_to_generate_predictions": _WIDE}
    g = _gammas(model)
    cols = ["unique_id_l", "unique_id_r", "match_probability", *g]
    duck = SplinkLinker(duck_linker._sdf, model, log_level=logging.WARNING).inference.predict()
    d = duck_linker._con.sql(f"SELECT {', '.join(cols)} FROM {duck.physical_name}").df()

    sdf = SparkAPI(spark_session=spark).register(to_spark_records(spark, duck_linker._table),
                                                 dataset_display_name="records")
    s = (SplinkLinker(sdf, spark_model(model), log_level=logging.WARNING).inference.predict()
         .as_spark_dataframe().select(*cols).toPandas())

    assert len(d) > 2000 and len(s) == len(d)
    m = d.merge(s, on=["unique_id_l", "unique_id_r"], suffixes=("_duckdb", "_spark"), validate="1:1")
    assert len(m) == len(d)
    for c in g:
        differ = m[c + "_duckdb"] != m[c + "_spark"]
        assert int(differ.sum()) == 0, (c, m.loc[differ, [c + "_duckdb", c + "_spark"]].head())
    assert (m["match_probability_duckdb"] - m["match_probability_spark"]).abs().max() < 1e-9
    # the fuzzy levels that need translated functions were exercised, not just exact/else
    name = comparisons()[1]
    seen = set(m["gamma_name_duckdb"])
    for key in ("typo_jaro_winkler", "share_token", "else"):
        assert gamma_of(name, key) in seen, key


def test_duckdb_model_loaded_on_spark_untranslated_would_misscore(spark, duck_linker):
    """The pitfall :func:`spark_model` exists for: the DuckDB model as it is fails or scores wrongly."""
    from splink import Linker as SplinkLinker
    from splink.backends.spark import SparkAPI

    from linkmiskin.spark_backend import to_spark_records

    sdf = SparkAPI(spark_session=spark).register(to_spark_records(spark, duck_linker._table),
                                                 dataset_display_name="records_raw")
    with pytest.raises(Exception):  # noqa: B017 - any Spark analysis error will do
        SplinkLinker(sdf, duck_linker.model, log_level=logging.WARNING).inference.predict().as_pandas_dataframe()


def test_spark_comparison_keeps_keys_and_configured_probabilities():
    from linkmiskin.scoring.comparisons import SexComparison, gamma_of, level_keys
    from linkmiskin.spark_backend import SparkComparison

    c = SexComparison("sex").configure(m_probabilities=[0.9, 0.1], u_probabilities=[0.5, 0.5])
    s = SparkComparison(c)
    assert level_keys(s) == level_keys(c) == ["null", "counted_by_nik", "same", "else"]
    assert gamma_of(s, "same") == gamma_of(c, "same") == 1
    levels = s.get_comparison("spark").as_dict()["comparison_levels"]
    assert [lv.get("m_probability") for lv in levels] == [None, None, 0.9, 0.1]
    assert levels[2]["sql_condition"] == "`sex_l` = `sex_r`"


def _partition(records) -> dict[str, frozenset]:
    """Each record's ``source:record_id`` -> the set of keys of its person."""
    keys = records["source"].astype(str) + ":" + records["record_id"].astype(str)
    members = keys.groupby(records["person_id"].to_numpy()).agg(frozenset)
    return dict(zip(keys, records["person_id"].map(members)))


def test_spark_runs_the_household_context_pass_as_duckdb(spark, duck_linker):
    """A list without NIK, birth date, sex and relationship (p3ke): the household-context pass joins persons
    of one household and one name on DuckDB; Spark runs it on the driver and gives the same persons, ids,
    link_reason, confidences, golden persons and measured shares."""
    import pandas as pd

    import linkmiskin as lm
    from linkmiskin.clustering.household_context import RULE

    d = lm.synthetic.generate(households=60, seed=1)
    p3ke = d.sources["p3ke"].copy()
    for c in ("NIK", "TANGGAL_LAHIR", "JK", "HUBUNGAN_DENGAN_KEPALA_KELUARGA"):
        p3ke[c] = None
    sources = {**d.sources, "p3ke": p3ke}
    lk = lm.Linker(sources, region=d.region, progress=False)
    lk.model = duck_linker.model
    duck = lk.cluster()
    joined = duck.records["link_reason"] == f"linked: {RULE}"
    assert joined.sum() >= 2   # the pass joined at least one pair on DuckDB
    res = lm.Linker(sources, region=d.region, backend="spark", spark=spark, model=duck_linker.model).cluster(
        duck.threshold)
    got = res.records.toPandas()
    want, have = _partition(duck.records), _partition(got)
    assert len(got) == len(duck.records) and sum(want[k] != have[k] for k in want) == 0
    assert set(got["person_id"]) == set(duck.records["person_id"])
    key = duck.records["source"] + ":" + duck.records["record_id"].astype(str)
    mine = got.set_index(got["source"] + ":" + got["record_id"].astype(str)).reindex(key)
    assert mine["link_reason"].tolist() == duck.records["link_reason"].tolist()
    assert (mine["person_confidence"].to_numpy() - duck.records["person_confidence"].to_numpy()).max() < 1e-9
    assert (mine["person_confidence"].to_numpy() - duck.records["person_confidence"].to_numpy()).min() > -1e-9
    assert res.metadata["household_context"] == duck.metadata["household_context"]

    def by(df, k):
        return df.sort_values(k).reset_index(drop=True)

    pd.testing.assert_frame_equal(by(res.persons, "person_id"), by(duck.persons, "person_id"))
    pd.testing.assert_frame_equal(by(res.households, "household_id"), by(duck.households, "household_id"))


def test_spark_linker_gives_the_duckdb_person_partition(spark, duck_linker, tmp_path):
    """A DuckDB-trained model, scored and clustered on Spark (connected components + anti-chaining per
    component): the same persons, with the same ids, as the DuckDB run; and the same households."""
    import pandas as pd

    import linkmiskin as lm

    duck = duck_linker.cluster()
    d = lm.synthetic.generate(households=60, seed=1)
    sl = lm.Linker(d.sources, region=d.region, backend="spark", spark=spark, model=duck_linker.model)
    res = sl.cluster(duck.threshold)
    got = res.records.toPandas()
    assert len(got) == len(duck.records) and got["unique_id"].is_unique
    want = _partition(duck.records)
    have = _partition(got)
    assert sum(want[k] != have[k] for k in want) == 0
    assert set(got["person_id"]) == set(duck.records["person_id"])
    assert got["person_id"].nunique() < len(got)  # persons were really linked across lists
    conf = duck.records.set_index(duck.records["source"] + ":" + duck.records["record_id"].astype(str))
    got_conf = got.set_index(got["source"] + ":" + got["record_id"].astype(str))["person_confidence"]
    assert (conf["person_confidence"] - got_conf.reindex(conf.index)).abs().max() < 1e-9
    # households, built on the driver from the person-level table: DuckDB's table and ids
    hh_cols = ["household_id", "household_confidence", "household_evidence"]
    assert got.set_index(got["source"] + ":" + got["record_id"].astype(str))[hh_cols].reindex(conf.index).equals(
        conf[hh_cols])
    # the households table with its golden columns (head, KK, address, roles, conflicts) and the golden
    # persons, built on the driver from the person-level table: DuckDB's, value for value
    def by(df, key):
        return df.sort_values(key).reset_index(drop=True)

    pd.testing.assert_frame_equal(by(res.households, "household_id"), by(duck.households, "household_id"))
    pd.testing.assert_frame_equal(by(res.persons, "person_id"), by(duck.persons, "person_id"))
    assert res.persons["nik"].notna().any() and res.households["head_name"].notna().any()
    # a list given as pandas: the agency's rows with DuckDB's ids appended, in its order
    pd.testing.assert_frame_equal(res.crosswalk("dtks"), duck.crosswalk("dtks"))
    # the village officers' workbook and the saved golden tables
    from linkmiskin.report.exports import verification_rows

    pd.testing.assert_frame_equal(verification_rows(res), verification_rows(duck))
    assert res.to_excel(tmp_path / "desa.xlsx").exists()
    res.save(tmp_path / "hasil")
    saved = pd.read_parquet(tmp_path / "hasil" / "persons.parquet")
    assert saved["person_id"].tolist() == res.persons["person_id"].tolist()
    # the saved folder is a previous result as good as the object: the same records, ids, registry, model
    from linkmiskin.clustering.updates import load_previous

    folder, obj = load_previous(tmp_path / "hasil"), res.previous_run()
    pd.testing.assert_frame_equal(folder.records.sort_values(["source", "record_id"]).reset_index(drop=True),
                                  obj.records.sort_values(["source", "record_id"]).reset_index(drop=True))
    pd.testing.assert_frame_equal(folder.registry, obj.registry)
    assert (folder.model, folder.threshold, folder.run) == (obj.model, obj.threshold, obj.run)

    # an update three months later: ids carried over on Spark exactly as on DuckDB
    from linkmiskin.synthetic import generator as synthetic

    later = synthetic.later(d, months=3, seed=2)
    up_duck = lm.link(later.sources, region=d.region, previous=duck, progress=False)
    # one list given as a Spark DataFrame: the same model table (test_standardisation_...), so the same ids
    p3ke = later.sources["p3ke"].astype(object).where(later.sources["p3ke"].notna(), None)
    up = lm.link({**later.sources, "p3ke": spark.createDataFrame(p3ke)}, region=d.region, backend="spark",
                 spark=spark, previous=res)
    # its crosswalk (on the executors): each row with the ids of its record, by its place in the list (not
    # by unique_id, which is the record's place in the canonical order)
    appended = ["person_id", "household_id", "person_confidence"]
    pd.testing.assert_frame_equal(up.crosswalk("p3ke").toPandas()[appended].reset_index(drop=True),
                                  up_duck.crosswalk("p3ke")[appended].reset_index(drop=True), check_dtype=False)
    got = up.records.toPandas()
    key = got["source"] + ":" + got["record_id"].astype(str)
    want = up_duck.records.set_index(up_duck.records["source"] + ":" + up_duck.records["record_id"].astype(str))
    for col in ("person_id", "household_id"):
        assert (got.set_index(key)[col] != want[col].reindex(key)).sum() == 0
    assert up.run == up_duck.run == 2 and up.threshold == up_duck.threshold
    assert set(up.changes["change"]) == set(up_duck.changes["change"]) and len(up.changes) == len(up_duck.changes)
    pd.testing.assert_frame_equal(by(up.persons, "person_id"), by(up_duck.persons, "person_id"))
    # a Spark model is never handed to DuckDB as it is (it would mis-score silently)
    from linkmiskin.clustering.updates import UpdateError

    with pytest.raises(UpdateError, match="Spark SQL"):
        lm.link(later.sources, region=d.region, previous=tmp_path / "hasil", progress=False)


def test_crosswalk_of_a_spark_dataframe_appends_ids_by_position(spark):
    """A list given as a Spark DataFrame: its own columns in its order, each row with the ids of the record
    at its position; a list of another length or with an id column already is refused by name."""
    import pandas as pd

    from linkmiskin.report.exports import ExportError
    from linkmiskin.spark_backend import crosswalk_spark

    raw = spark.createDataFrame(pd.DataFrame({"NAMA": ["ANI", "BUDI", "CITRA"], "RT": ["1", "2", "3"]}))
    recs = spark.createDataFrame(pd.DataFrame({"unique_id": [12, 10, 11], "person_id": ["Pc", "Pa", "Pb"],
                                               "household_id": ["Hc", "Ha", "Hb"],
                                               "person_confidence": [0.9, 1.0, 0.5]}))
    got = crosswalk_spark(raw, recs, "posyandu").toPandas()
    assert list(got.columns) == ["NAMA", "RT", "person_id", "household_id", "person_confidence"]
    assert got["NAMA"].tolist() == ["ANI", "BUDI", "CITRA"] and got["person_id"].tolist() == ["Pa", "Pb", "Pc"]
    # a list spread over several partitions: rows are numbered partition by partition, in reading order
    wide = spark.range(0, 10, 1, 3).withColumnRenamed("id", "ROW")
    recs10 = spark.createDataFrame(pd.DataFrame({"unique_id": range(100, 110),
                                                 "person_id": [f"P{i}" for i in range(10)]}))
    got10 = crosswalk_spark(wide, recs10, "sekolah").toPandas()
    assert got10["person_id"].tolist() == [f"P{r}" for r in got10["ROW"]] and got10["ROW"].tolist() == list(range(10))
    with pytest.raises(ExportError, match="posyandu.*3 rows but 2"):
        crosswalk_spark(raw, recs.where("unique_id < 12"), "posyandu")
    with pytest.raises(ExportError, match="person_id"):
        crosswalk_spark(raw.withColumnRenamed("RT", "person_id"), recs, "posyandu")


def test_connected_components_spark(spark):
    import pandas as pd

    from linkmiskin.spark_backend import connected_components_spark

    nodes = spark.createDataFrame(pd.DataFrame({"unique_id": list(range(7))}))
    edges = spark.createDataFrame(pd.DataFrame({"unique_id_l": [0, 1, 2, 4], "unique_id_r": [1, 2, 3, 5]}))
    got = connected_components_spark(nodes, edges).toPandas().sort_values("unique_id")
    assert got["component"].tolist() == [0, 0, 0, 0, 4, 4, 6]


def test_bad_input_on_spark_gives_the_duckdb_errors(spark, tmp_path):
    import pandas as pd

    import linkmiskin as lm
    from linkmiskin.spark_backend import SparkBackendError
    from linkmiskin.standardise.read import SourceError

    with pytest.raises(SparkBackendError, match="spark=<a SparkSession>"):
        lm.link({"a": pd.DataFrame({"nama": ["SITI"]})}, backend="spark")
    # the Linker too, and something that is not a session is refused by name
    with pytest.raises(SparkBackendError, match="spark=<a SparkSession>.*got NoneType"):
        lm.Linker({"a": pd.DataFrame({"nama": ["SITI"]})}, backend="spark")
    with pytest.raises(SparkBackendError, match="spark=<a SparkSession>.*got str"):
        lm.Linker({"a": pd.DataFrame({"nama": ["SITI"]})}, backend="spark", spark="local[2]")
    with pytest.raises(lm.linkage.LinkError, match="backend must be"):
        lm.link({"a": pd.DataFrame({"nama": ["SITI"]})}, backend="postgres")
    missing = str(tmp_path / "tidak_ada.csv")
    with pytest.raises(SourceError) as duck_err:
        lm.link({"dtks": missing}, region="32.16", progress=False)
    with pytest.raises(SourceError) as spark_err:
        lm.link({"dtks": missing}, region="32.16", backend="spark", spark=spark)
    assert str(spark_err.value) == str(duck_err.value)
    bad = pd.DataFrame({"nama": ["SITI AMINAH"], "nik": ["3216074101900001"]})
    cols = {"dtks": {"name": "NAMA_KRT"}}
    with pytest.raises(Exception) as duck_err:
        lm.link({"dtks": bad}, cols, region="32.16", progress=False)
    with pytest.raises(Exception) as spark_err:
        lm.link({"dtks": spark.createDataFrame(bad)}, cols, region="32.16", backend="spark", spark=spark)
    assert type(spark_err.value) is type(duck_err.value) and str(spark_err.value) == str(duck_err.value)
    assert "NAMA_KRT" in str(duck_err.value)
    # the same missing column in a list given as a file and through the Linker: DuckDB's error
    path = tmp_path / "dtks.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(Exception) as duck_err:
        lm.Linker({"dtks": str(path)}, cols, region="32.16", progress=False)
    with pytest.raises(Exception) as spark_err:
        lm.Linker({"dtks": str(path)}, cols, region="32.16", backend="spark", spark=spark)
    assert type(spark_err.value) is type(duck_err.value) and str(spark_err.value) == str(duck_err.value)
    assert "NAMA_KRT" in str(spark_err.value)


def test_a_model_trained_on_spark_links_like_the_duckdb_one(spark, duck_linker):
    """Training on Spark (anchors, m by level key, priors): nearly the DuckDB persons on the same lists."""
    import linkmiskin as lm

    duck = duck_linker.cluster()
    d = lm.synthetic.generate(households=60, seed=1)
    sl = lm.Linker(d.sources, region=d.region, backend="spark", spark=spark)
    res = sl.cluster()
    got = res.records.toPandas()
    assert len(got) == len(duck.records)
    want, have = _partition(duck.records), _partition(got)
    same = sum(want[k] == have[k] for k in want)
    assert same >= 0.97 * len(want), f"{same} of {len(want)} records in the same person as on DuckDB"
    assert set(sl.model["comparisons"][0]["comparison_levels"][1]) >= {"m_probability", "u_probability"}


def test_options_the_spark_backend_lacks_are_refused_by_name():
    import pandas as pd

    import linkmiskin as lm
    from linkmiskin.linkage import LinkError

    src = {"a": pd.DataFrame({"NAMA": ["ANI"]})}
    with pytest.raises(LinkError, match="list_date=, header= not supported with backend='spark'"):
        lm.link(src, backend="spark", spark=object(), list_date="2025-01-01", header=2)
    with pytest.raises(LinkError, match="use_row_order= not supported"):
        lm.link(src, backend="spark", spark=object(), use_row_order=False)


def _comparable(df):
    """A model table sorted by ``unique_id`` with lists as tuples and every missing value as None."""
    import numpy as np
    import pandas as pd

    df = df.sort_values("unique_id").reset_index(drop=True)
    out = {}
    for c in df.columns:
        out[c] = [tuple(v) if isinstance(v, (list, np.ndarray)) else (None if v is None or v is pd.NA or (
            isinstance(v, float) and np.isnan(v)) else v) for v in df[c]]
    return pd.DataFrame(out)


def test_standardisation_on_the_executors_equals_the_pandas_one(spark, tmp_path):
    """Sources as a CSV path, a Spark DataFrame and pandas, standardised on Spark's executors (a task per
    source, the columns that count over all sources recounted by Spark): the same model table as pandas."""
    import linkmiskin as lm
    from linkmiskin.linkage import _reordered, _standardize_sources, canonical_order
    from linkmiskin.pseudonym import model_ids
    from linkmiskin.scoring.model import model_table
    from linkmiskin.spark_backend import standardise_spark, to_spark_records

    d = lm.synthetic.generate(households=40, seed=3)
    dtks = str(d.write(tmp_path, formats=("csv",))["dtks"])
    p3ke = d.sources["p3ke"].astype(object).where(d.sources["p3ke"].notna(), None)
    on_pandas = {**d.sources, "dtks": dtks, "p3ke": p3ke}
    on_spark = {**on_pandas, "p3ke": spark.createDataFrame(p3ke)}
    std, maps = _standardize_sources(on_pandas, None, d.region)
    table = model_ids(std, model_table(std))
    # as the model table reaches Splink on DuckDB: in the canonical order (unique_id = place in it)
    want = to_spark_records(spark, _reordered(table, canonical_order(table)))
    got, got_maps = standardise_spark(spark, on_spark, None, d.region)
    assert [(f.name, f.dataType) for f in got.schema] == [(f.name, f.dataType) for f in want.schema]
    w, g = _comparable(want.toPandas()), _comparable(got.toPandas())
    assert len(g) == len(std) and list(g.columns) == list(w.columns)
    differ = [c for c in w.columns if not g[c].equals(w[c])]
    assert not differ, differ
    assert {k: v.mapping for k, v in got_maps.items()} == {k: v.mapping for k, v in maps.items()}
    # the block sizes really count over all sources: counted per source they would differ
    per_source = w.groupby(["source", "nik15"], dropna=False)["unique_id"].transform("size")
    assert (per_source != w["block_nik15"]).any()
    # the canonical order is not the input order (sources one after the other): the test can fail
    assert (w["source"].to_numpy()[:-1] != w["source"].to_numpy()[1:]).sum() > len(d.sources)


def _model_table_on_duckdb(sources, region):
    """The model table as DuckDB's Linker holds it: every list standardised, the unclear ``NY.`` names
    settled job-wide, in the canonical order."""
    from linkmiskin.linkage import _reordered, _standardize_sources, canonical_order
    from linkmiskin.pseudonym import model_ids
    from linkmiskin.scoring.model import model_table

    std, _ = _standardize_sources(sources, None, region)
    table = model_ids(std, model_table(std))
    return _reordered(table, canonical_order(table))


def test_unclear_nyonya_names_are_settled_with_every_lists_words_on_spark(spark):
    """A ``NY.`` name its own list cannot read (no record of known sex carries its words) is read with the
    words of every list, as on DuckDB: another list's men named so make it her husband's name."""
    import pandas as pd

    from linkmiskin.spark_backend import standardise_spark

    a = pd.DataFrame({"NAMA": ["NY. WIRAGNYO PANGESTU", "SITI AMINAH"], "JENIS_KELAMIN": ["P", "P"],
                      "NIK": ["3216074101900001", "3216074101900002"]})
    b = pd.DataFrame({"NAMA": [f"WIRAGNYO PANGESTU {x}" for x in "ABCDEF"], "JENIS_KELAMIN": ["L"] * 6})
    for sources, form in (({"a": a}, "ambiguous"), ({"a": a, "b": b}, "husband"), ({"b": b, "a": a}, "husband")):
        want = _comparable(_model_table_on_duckdb(sources, "32.16"))
        got = _comparable(standardise_spark(spark, sources, None, "32.16")[0].toPandas())
        differ = [c for c in want.columns if not got[c].equals(want[c])]
        assert not differ, (list(sources), differ)
        ny = got[(got["source"] == "a") & (got["record_id"] == "1")]
        assert ny["name_form"].tolist() == [form], list(sources)
        assert ny["name"].tolist() == ([None] if form == "husband" else ["WIRAGNYO PANGESTU"])


def test_kk_u_is_counted_on_spark_as_on_duckdb(spark, duck_linker):
    """The KK comparison's u is counted on the whole table (not sampled) on both backends, with one result."""
    import duckdb

    from linkmiskin.scoring.comparisons import KkComparison
    from linkmiskin.scoring.model import kk_u_probabilities
    from linkmiskin.spark_backend import _SparkSql, register_functions, to_spark_records

    t = duck_linker._table
    con = duckdb.connect()
    con.register("t", t)
    expected = kk_u_probabilities(con, "t", KkComparison())
    register_functions(spark)
    got = kk_u_probabilities(_SparkSql(to_spark_records(spark, t)), _SparkSql.VIEW, KkComparison())
    assert expected is not None and expected["exact"] > 0
    assert got == pytest.approx(expected)


def test_local_driver_heap_follows_the_machine(monkeypatch):
    import linkmiskin.linkage as linkage
    from linkmiskin.spark_backend import local_driver_memory

    monkeypatch.delenv("LINKMISKIN_SPARK_DRIVER_MEMORY", raising=False)
    monkeypatch.setattr(linkage, "_machine_memory", lambda: 24 * 2**30)
    assert local_driver_memory() == "7g"
    monkeypatch.setattr(linkage, "_machine_memory", lambda: 4 * 2**30)
    assert local_driver_memory() == "2g"          # never below the floor
    monkeypatch.setattr(linkage, "_machine_memory", lambda: None)
    assert local_driver_memory() == "2g"
    monkeypatch.setenv("LINKMISKIN_SPARK_DRIVER_MEMORY", "12g")
    assert local_driver_memory() == "12g"


def test_nik_lists_are_counted_over_the_whole_job_on_spark(spark):
    """``nik_lists`` (read by the cannot-link rule different_niks_each_on_two_lists) is counted over every
    record before components go to buckets: as :func:`with_nik_lists` over the whole table."""
    import pandas as pd

    from linkmiskin.clustering.cannot_link import with_nik_lists
    from linkmiskin.spark_backend import with_nik_lists_spark

    nik_a, nik_b = "3216010101900001", "3216014101900002"
    recs = pd.DataFrame({"unique_id": [1, 2, 3, 4, 5, 6],
                         "source": ["dtks", "p3ke", "dtks", "dtks", "bpjs", "p3ke"],
                         "nik": [nik_a, nik_a, nik_b, nik_b, nik_b, None],
                         "nik_consistent": [True, True, True, True, False, None]})
    want = with_nik_lists(recs).sort_values("unique_id")["nik_lists"].tolist()
    assert want == [2, 2, 1, 1, 0, 0]       # the untrusted NIK on bpjs does not count
    got = with_nik_lists_spark(spark.createDataFrame(recs)).toPandas().sort_values("unique_id")
    assert got["nik_lists"].tolist() == want
