"""docs/shipped-data.md lists every shipped fact with its sources, and every fact in
the data file cites at least one source with a web address. Parses the YAML only
(no database), so it fails as soon as the file and the document drift apart."""

from pathlib import Path

import yaml

from measures.data.loading.reader import DEFAULT_DATA_FILE

DOC = Path(__file__).resolve().parents[3] / "docs" / "shipped-data.md"


def _ids(entry: dict) -> list[str]:
    ids = list(entry.get("sources") or [])
    for refs in (entry.get("field_sources") or {}).values():
        ids += [ref for ref in refs if ref not in ids]
    return ids


def fact_rows(data: dict) -> list[tuple[str, str, list[str]]]:
    """(kind, key, source ids) for every fact in the file, in file order."""
    rows = []
    for partner in data.get("partners") or []:
        rows.append(("partner", partner["slug"], _ids(partner)))
        for former in partner.get("former_names") or []:
            rows.append(
                ("former name", f"{partner['slug']}: {former['name']}", _ids(former))
            )
    for plan in data.get("plans") or []:
        rows.append(("plan", plan["slug"], _ids(plan)))
        for goal in plan.get("goals") or []:
            rows.append(("goal", f"{plan['slug']}: {goal['slug']}", _ids(goal)))
        for measure in plan.get("measures") or []:
            rows.append(("measure", measure["slug"], _ids(measure)))
            for event in measure.get("events") or []:
                rows.append(("event", event["id"], _ids(event)))
    for indicator in data.get("indicators") or []:
        rows.append(("indicator", indicator["slug"], _ids(indicator)))
        for value in indicator.get("values") or []:
            period = value["year"]
            if value.get("period", "year") != "year":
                period = f"{value['year']}-{value['number']:02d}"
            rows.append(
                ("indicator value", f"{indicator['slug']} {period}", _ids(value))
            )
    for line in data.get("budgets") or []:
        years = f"{line['year']}" + (
            f"–{line['end_year']}" if line.get("end_year") else ""
        )
        key = f"{line['measure']} {years} {line.get('kind') or 'ikke oppgitt'}"
        rows.append(("budget line", key, _ids(line)))
    return rows


def table_lines(data: dict) -> list[str]:
    return [
        f"| {kind} | {key} | {', '.join(ids)} |" for kind, key, ids in fact_rows(data)
    ]


def _data() -> dict:
    return yaml.safe_load(DEFAULT_DATA_FILE.read_text(encoding="utf-8"))


def test_every_fact_cites_a_known_source_with_a_web_address():
    data = _data()
    urls = {source["id"]: source["url"] for source in data["sources"]}
    for kind, key, ids in fact_rows(data):
        assert ids, f"{kind} {key} has no source"
        for ref in ids:
            assert ref in urls, f"{kind} {key} cites unknown {ref}"
            assert urls[ref].startswith(("http://", "https://")), ref


def test_every_source_in_the_file_is_cited():
    data = _data()
    cited = {ref for _, _, ids in fact_rows(data) for ref in ids}
    assert {source["id"] for source in data["sources"]} == cited


def test_the_documents_table_lists_every_fact_with_its_sources():
    doc = DOC.read_text(encoding="utf-8")
    missing = [line for line in table_lines(_data()) if line not in doc]
    assert not missing, (
        "docs/shipped-data.md is out of date; regenerate the fact table with "
        "tests/measures/data/test_shipped_data_doc.table_lines(). Missing:\n"
        + "\n".join(missing)
    )
