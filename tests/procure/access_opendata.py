"""Who may call each open-data route (pages, CSV, OCDS API): merged by test_authz_routes."""

from access_pages import PUBLIC

EXPECTED: dict[str, object] = {
    "opendata.index": PUBLIC,
    "opendata.demands_csv": PUBLIC,
    "opendata.products_csv": PUBLIC,
    "opendata.organisations_csv": PUBLIC,
    "opendata.designations_csv": PUBLIC,
    "opendata.pilot_results_csv": PUBLIC,
    "api.ocds_releases": PUBLIC,
    "api.ocds_records": PUBLIC,
}
