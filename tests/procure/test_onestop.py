"""One-stop demand information: the unified list, its filters, calendar, feeds and digests."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest

import factories
from factories import in_request
from procure.clock import local_today
from procure.demands import services as demands
from procure.extensions import db
from procure.ideas import services as ideas
from procure.models import DemandInfoSubscription, DemandStatus
from procure.models.base import utcnow
from procure.onestop import ical, services, subscriptions
from procure.onestop.services import Filters, parse_filters

ATOM = "{http://www.w3.org/2005/Atom}"


# -- helpers ----------------------------------------------------------------------------------


def titles(items) -> set[str]:
    return {item.title for item in items}


def adopted_idea(app, officer, title="버스정류장 미세먼지 알림", region="26"):
    citizen = factories.user_with_role("citizen")
    operator = factories.user_with_role("operator")
    idea = in_request(
        app,
        ideas.submit_idea,
        citizen,
        title=title,
        problem="정류장에서 공기질을 알 수 없다.",
        region=region,
    )
    in_request(app, ideas.moderate, operator, idea, "approved")
    draft = in_request(app, ideas.adopt, officer, idea)
    return idea, draft


@pytest.fixture
def market(app, db_session):
    """Two agencies' demands in every state, and citizen ideas adopted or not."""
    factories.add_cpv_codes()
    today = local_today()
    officer = factories.user_with_role("officer")
    other = factories.user_with_role("officer")
    d = {}
    d["open"] = factories.published_demand(
        app,
        officer,
        title="해안 순찰용 드론",
        region="51",
        codes=["35613000"],
        closes_on=today + timedelta(days=30),
        expected_purchase_on=today + timedelta(days=90),
    )
    d["upcoming"] = factories.published_demand(
        app,
        officer,
        title="학교 의자 교체",
        region="11",
        codes=["39110000"],
        opens_on=today + timedelta(days=10),
        closes_on=today + timedelta(days=40),
    )
    d["rnd"] = factories.published_demand(
        app,
        other,
        title="차세대 통신 기술 수요조사",
        demand_type="rnd",
        region="30",
        codes=["32000000"],
        closes_on=today + timedelta(days=20),
        expected_purchase_on=today + timedelta(days=800),
    )
    d["purchase_ahead"] = factories.published_demand(
        app,
        other,
        title="청소 서비스 혁신",
        region="11",
        codes=["90900000"],
        closes_on=today + timedelta(days=5),
        expected_purchase_on=today + timedelta(days=60),
    )
    # Its proposal window has passed; the purchase is still ahead.
    d["purchase_ahead"].opens_on = today - timedelta(days=20)
    d["purchase_ahead"].closes_on = today - timedelta(days=2)
    d["past"] = factories.published_demand(app, other, title="지난 수요", codes=["35000000"])
    d["past"].opens_on = today - timedelta(days=40)
    d["past"].closes_on = today - timedelta(days=1)
    d["closed"] = factories.published_demand(app, officer, title="마감된 수요")
    d["closed"].status = DemandStatus.CLOSED
    d["deleted"] = factories.published_demand(app, officer, title="삭제된 수요")
    d["deleted"].deleted_at = utcnow()
    d["draft"] = in_request(
        app,
        demands.create_demand,
        officer,
        factories.demand_input(title="작성 중 수요"),
    )
    idea, draft_from_idea = adopted_idea(app, officer)
    citizen = factories.user_with_role("citizen")
    operator = factories.user_with_role("operator")
    approved = in_request(
        app, ideas.submit_idea, citizen, title="채택 전 아이디어", problem="문제", region="26"
    )
    in_request(app, ideas.moderate, operator, approved, "approved")
    db.session.flush()
    return {
        "today": today,
        "officer": officer,
        "other": other,
        "demands": d,
        "idea": idea,
        "idea_draft": draft_from_idea,
    }


# -- what is listed ---------------------------------------------------------------------------


def test_lists_open_and_upcoming_demand_and_adopted_ideas_only(app, market):
    with app.test_request_context():
        items = services.find_all(Filters())
    assert titles(items) == {
        "해안 순찰용 드론",
        "학교 의자 교체",
        "차세대 통신 기술 수요조사",
        "청소 서비스 혁신",
        "버스정류장 미세먼지 알림",
    }
    today = market["today"]
    by_title = {item.title: item for item in items}
    assert by_title["해안 순찰용 드론"].state(today) == "open"
    assert by_title["학교 의자 교체"].state(today) == "upcoming"
    assert by_title["청소 서비스 혁신"].state(today) == "upcoming"
    idea = by_title["버스정류장 미세먼지 알림"]
    assert (idea.kind, idea.uid, idea.agency.id) == (
        "idea",
        f"idea-{market['idea'].id}",
        market["officer"].organisation_id,
    )
    assert by_title["해안 순찰용 드론"].codes == ["35613000"]
    assert by_title["해안 순찰용 드론"].agency.id == market["officer"].organisation_id
    # ordered by the next date ahead; the unscheduled idea last
    assert items[-1].kind == "idea"
    assert [i.next_on for i in items[:-1]] == sorted(i.next_on for i in items[:-1])


def test_an_adopted_idea_gives_way_to_its_published_demand(app, market):
    draft = market["idea_draft"]
    draft.status = DemandStatus.PUBLISHED
    draft.published_at = utcnow()
    draft.closes_on = market["today"] + timedelta(days=15)
    db.session.flush()
    with app.test_request_context():
        items = services.find_all(Filters())
    kinds = {(item.source, item.title): item for item in items}
    assert ("idea", "버스정류장 미세먼지 알림") not in kinds
    assert kinds[("demand", "버스정류장 미세먼지 알림")].from_idea


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"kind": "rnd"}, {"차세대 통신 기술 수요조사"}),
        ({"kind": "idea"}, {"버스정류장 미세먼지 알림"}),
        ({"code": "3561"}, {"해안 순찰용 드론"}),
        ({"code": "39"}, {"학교 의자 교체"}),
        ({"region": "11"}, {"학교 의자 교체", "청소 서비스 혁신"}),
        ({"region": "26"}, {"버스정류장 미세먼지 알림"}),
        (
            {"term": "short"},
            {"해안 순찰용 드론", "학교 의자 교체", "청소 서비스 혁신"},
        ),
        ({"term": "long"}, {"차세대 통신 기술 수요조사", "버스정류장 미세먼지 알림"}),
        ({"state": "open"}, {"해안 순찰용 드론", "차세대 통신 기술 수요조사"}),
        (
            {"state": "upcoming"},
            {"학교 의자 교체", "청소 서비스 혁신", "버스정류장 미세먼지 알림"},
        ),
        (
            {"kind": "purchase", "region": "11", "term": "short"},
            {"학교 의자 교체", "청소 서비스 혁신"},
        ),
    ],
)
def test_each_filter(app, market, args, expected):
    with app.test_request_context():
        assert titles(services.find_all(parse_filters(args))) == expected


def test_agency_filter_covers_demands_and_the_ideas_it_adopted(app, market):
    with app.test_request_context():
        mine = services.find_all(Filters(agency=market["officer"].organisation_id))
        theirs = services.find_all(Filters(agency=market["other"].organisation_id))
    assert titles(mine) == {"해안 순찰용 드론", "학교 의자 교체", "버스정류장 미세먼지 알림"}
    assert titles(theirs) == {"차세대 통신 기술 수요조사", "청소 서비스 혁신"}


def test_period_filter_keeps_items_whose_dates_overlap_it(app, market):
    today = market["today"]
    with app.test_request_context():
        # after the school chairs close (day 40) and the cleaning purchase (day 60), before the
        # drone purchase (day 90) and the R&D horizon (day 800); the idea is open-ended
        later = services.find_all(Filters(start=today + timedelta(days=61)))
        # before the school chairs open (day 10): not them
        soon = services.find_all(Filters(start=today, end=today + timedelta(days=5)))
        # before the idea was adopted (today): not the idea
        past = services.find_all(Filters(end=today - timedelta(days=1)))
    assert titles(later) == {
        "해안 순찰용 드론",
        "차세대 통신 기술 수요조사",
        "버스정류장 미세먼지 알림",
    }
    assert "학교 의자 교체" not in titles(soon)
    assert {"해안 순찰용 드론", "버스정류장 미세먼지 알림"} <= titles(soon)
    assert "버스정류장 미세먼지 알림" not in titles(past)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"kind": "tender"}, "kind"),
        ({"agency": "abc"}, "agency"),
        ({"code": "3"}, "code"),
        ({"code": "35x"}, "code"),
        ({"region": "99"}, "region"),
        ({"term": "medium"}, "term"),
        ({"state": "closed"}, "state"),
        ({"from": "2025-02-30"}, "from"),
        ({"to": "1999-12-31"}, "to"),
        ({"from": "2025-03-01", "to": "2025-02-01"}, "to"),
        ({"region": "1\x001"}, "region"),
    ],
)
def test_bad_filters_are_refused_with_the_field_named(app, args, field):
    with (
        app.test_request_context(headers={"Accept-Language": "en"}),
        pytest.raises(services.Invalid) as caught,
    ):
        parse_filters(args)
    assert field in {e.field for e in caught.value.errors}


# -- pages ------------------------------------------------------------------------------------


def test_list_page_shows_items_filters_and_links(client, market):
    response = client.get("/demand-info")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "해안 순찰용 드론" in page and "버스정류장 미세먼지 알림" in page
    assert "작성 중 수요" not in page and "마감된 수요" not in page
    assert f'href="/demands/{market["demands"]["open"].id}"' in page
    assert f'href="/ideas/{market["idea"].id}"' in page
    assert "R&amp;D demand survey" in page
    filtered = client.get("/demand-info?kind=rnd&term=long").get_data(as_text=True)
    assert "차세대 통신 기술 수요조사" in filtered and "해안 순찰용 드론" not in filtered
    # the feeds and the subscription keep the filters
    assert "/demand-info/calendar.ics?kind=rnd&amp;term=long" in filtered
    assert "/demand-info/subscribe?kind=rnd&amp;term=long" in filtered


def test_nav_links_to_the_page(client, db_session):
    assert 'href="/demand-info"' in client.get("/").get_data(as_text=True)


def test_list_paginates(client, market):
    response = client.get("/demand-info?per_page=2&page=2")
    assert response.status_code == 200
    assert "5 items" in response.get_data(as_text=True)


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize(
    "path",
    [
        "/demand-info?from=2025-13-01",
        "/demand-info/calendar?region=zz",
        "/demand-info/calendar?month=2025-13",
        "/demand-info/feed.atom?code=1",
        "/demand-info/calendar.ics?term=forever",
    ],
)
def test_bad_input_is_400_in_both_languages(app, db_session, language, path):
    client = app.test_client()
    response = client.get(path, headers={"Accept-Language": language})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    if language == "en":
        assert any(
            message in text
            for message in (
                "Enter a date as YYYY-MM-DD.",
                "Unknown region code.",
                "Enter a month as YYYY-MM",
                "Use 2 to 8 digits",
                "Choose one of the listed options.",
            )
        )
    if path.startswith("/demand-info?") or "/calendar?" in path:
        assert f'lang="{language}"' in text


def test_calendar_places_items_on_their_dates(client, market):
    today = market["today"]
    closes = market["demands"]["open"].closes_on
    response = client.get(f"/demand-info/calendar?month={closes:%Y-%m}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    cell = re.search(
        rf'<span class="app-onestop-day">{closes.day}</span>\s*<ul>(.*?)</ul>', page, re.S
    )
    assert cell is not None and "해안 순찰용 드론" in cell.group(1) and "Closes" in cell.group(1)
    first = closes.replace(day=1)
    previous = (first - timedelta(days=1)).replace(day=1)
    assert f"month={previous:%Y-%m}" in page
    assert f'<h2 id="month-title">{first:%B %Y}</h2>' in page  # in words, in the page's language
    # a month with none of the drone's dates lists it as ongoing when its span covers it
    far = today + timedelta(days=600)
    rnd_month = client.get(f"/demand-info/calendar?month={far:%Y-%m}&kind=rnd")
    assert "차세대 통신 기술 수요조사" in rnd_month.get_data(as_text=True)
    assert "Also open or ahead during this month" in rnd_month.get_data(as_text=True)


def test_atom_feed_of_the_filtered_list(client, market):
    response = client.get("/demand-info/feed.atom?region=11")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)  # noqa: S314 - our own feed
    entries = root.findall(f"{ATOM}entry")
    assert {e.findtext(f"{ATOM}title") for e in entries} == {"학교 의자 교체", "청소 서비스 혁신"}
    ids = {e.findtext(f"{ATOM}id") for e in entries}
    assert all(i.startswith("tag:") for i in ids) and len(ids) == 2
    assert root.findtext(f"{ATOM}updated")


def test_a_control_character_stored_earlier_does_not_break_the_feed(client, market):
    """Text saved before control characters were refused (or by an import) is left out of the
    XML, which allows none of them: one bad title must not stop every reader's feed."""
    market["demands"]["upcoming"].title = "학교 의자\x1b[31m 교체\x07"
    db.session.flush()
    response = client.get("/demand-info/feed.atom?region=11")
    root = ET.fromstring(response.data)  # noqa: S314 - our own feed
    titles = {e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")}
    assert "학교 의자[31m 교체" in titles


# -- iCalendar --------------------------------------------------------------------------------


def unfold(text: str) -> list[str]:
    assert "\n" not in text.replace("\r\n", ""), "bare LF in the calendar"
    return text.replace("\r\n ", "").split("\r\n")


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def test_ics_feed_is_valid_rfc5545_with_korean_text(client, app, market):
    demand = market["demands"]["open"]
    demand.title = (
        "해안 순찰용 드론; 강풍, 야간\\주간 겸용 — 국립공원 관리공단 시범 도입 및 운영 지원 사업"
    )
    demand.problem = "첫째 줄\n둘째 줄, 세미콜론; 역슬래시\\"
    db.session.flush()
    response = client.get("/demand-info/calendar.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    raw = response.data
    text = raw.decode("utf-8")
    assert text.endswith("\r\n")
    physical = text.split("\r\n")[:-1]
    assert all(len(line.encode("utf-8")) <= 75 for line in physical)
    assert any(line.startswith(" ") for line in physical), "long Korean lines must be folded"
    lines = unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    events, current = [], None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            name, _sep, value = line.partition(":")
            current[name] = value
    assert events and all(
        {"UID", "DTSTAMP", "DTSTART;VALUE=DATE", "SUMMARY"} <= e.keys() for e in events
    )
    assert all(re.fullmatch(r"\d{8}T\d{6}Z", e["DTSTAMP"]) for e in events)
    mine = [e for e in events if e["UID"].startswith(f"demand-{demand.id}-")]
    assert {e["UID"].split("@")[0] for e in mine} == {
        f"demand-{demand.id}-opens",
        f"demand-{demand.id}-closes",
        f"demand-{demand.id}-purchase",
    }
    closes = next(e for e in mine if "-closes@" in e["UID"])
    assert closes["DTSTART;VALUE=DATE"] == demand.closes_on.strftime("%Y%m%d")
    assert closes["DTEND;VALUE=DATE"] == (demand.closes_on + timedelta(days=1)).strftime("%Y%m%d")
    assert "\\;" in closes["SUMMARY"] and "\\," in closes["SUMMARY"] and "\\\\" in closes["SUMMARY"]
    assert unescape(closes["SUMMARY"]) == f"[Closes] {demand.title}"
    assert "둘째 줄, 세미콜론; 역슬래시\\" in unescape(closes["DESCRIPTION"])
    assert "\\n" in closes["DESCRIPTION"]
    # the same item keeps its UID on the next fetch
    again = unfold(client.get("/demand-info/calendar.ics").data.decode("utf-8"))
    assert {line for line in again if line.startswith("UID:")} == {
        line for line in lines if line.startswith("UID:")
    }


def test_ics_filtered_and_idea_on_its_adoption_day(client, market):
    lines = unfold(client.get("/demand-info/calendar.ics?kind=idea").data.decode("utf-8"))
    uids = [line for line in lines if line.startswith("UID:")]
    assert uids == [f"UID:idea-{market['idea'].id}-adopted@127.0.0.1"]


def test_fold_never_splits_a_utf8_character():
    line = "SUMMARY:" + "가나다라마바사아자차카타파하" * 10
    folded = ical.fold(line)
    parts = folded.split("\r\n")
    assert len(parts) > 1
    assert all(len(part.encode("utf-8")) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    for part in parts:
        part.encode("utf-8").decode("utf-8")  # each physical line is whole characters
    assert folded.replace("\r\n ", "") == line
    assert ical.fold("short") == "short"
    assert ical.escape_text("a,b;c\\d\r\ne\nf") == "a\\,b\\;c\\\\d\\ne\\nf"


# -- subscriptions ----------------------------------------------------------------------------


LINK = re.compile(r"http://[^/\s]+(/demand-info/subscriptions/(?:confirm|unsubscribe)/\S+)")


def links(mail) -> list[str]:
    return LINK.findall(mail.body)


def subscribe(client, email="reader@example.kr", frequency="daily", **filters):
    return client.post(
        "/demand-info/subscribe", data={"email": email, "frequency": frequency, **filters}
    )


def test_subscription_double_opt_in_digest_once_and_unsubscribe(app, client, market, mail_outbox):
    response = subscribe(client, region="11", kind="purchase")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/demand-info?kind=purchase&region=11")
    assert len(mail_outbox) == 1 and mail_outbox[0].to == "reader@example.kr"
    [confirm_path] = links(mail_outbox[0])
    row = db.session.query(DemandInfoSubscription).one()
    assert row.filters == {"kind": "purchase", "region": "11"} and row.confirmed_at is None

    # nothing is sent before confirmation
    with app.test_request_context():
        assert subscriptions.send_digests("daily") == 0
    assert len(mail_outbox) == 1

    page = client.get(confirm_path)
    assert page.status_code == 200 and "Confirm the subscription" in page.get_data(as_text=True)
    assert client.post(confirm_path).status_code == 302
    db.session.refresh(row)
    assert row.confirmed_at is not None

    # items published before the confirmation are not "new"
    with app.test_request_context():
        assert subscriptions.send_digests("daily") == 0
    officer, today = market["officer"], market["today"]
    new_match = factories.published_demand(
        app, officer, title="새 의자 수요", region="11", codes=["39110000"]
    )
    factories.published_demand(app, officer, title="다른 지역 수요", region="26")
    factories.published_demand(
        app, officer, title="서울 연구 수요", region="11", demand_type="rnd", codes=["32000000"]
    )
    with app.test_request_context():
        assert subscriptions.send_digests("weekly") == 0  # other frequency
        assert subscriptions.send_digests("daily") == 1
    digest = mail_outbox[-1]
    assert digest.to == "reader@example.kr"
    assert "새 의자 수요" in digest.body
    assert "다른 지역 수요" not in digest.body and "서울 연구 수요" not in digest.body
    assert f"/demands/{new_match.id}" in digest.body
    [unsubscribe_path] = links(digest)
    assert "/unsubscribe/" in unsubscribe_path

    # sent once: the next run has nothing new
    count = len(mail_outbox)
    with app.test_request_context():
        assert subscriptions.send_digests("daily") == 0
    assert len(mail_outbox) == count

    # a later item goes in the next digest, alone
    factories.published_demand(app, officer, title="두 번째 의자 수요", region="11")
    with app.test_request_context():
        assert subscriptions.send_digests("daily") == 1
    assert "두 번째 의자 수요" in mail_outbox[-1].body
    assert "새 의자 수요\n" not in mail_outbox[-1].body

    assert client.get(unsubscribe_path).status_code == 200
    assert client.post(unsubscribe_path).status_code == 302
    db.session.refresh(row)
    assert row.unsubscribed_at is not None
    factories.published_demand(app, officer, title="세 번째 의자 수요", region="11")
    with app.test_request_context():
        assert subscriptions.send_digests("daily") == 0
    assert today  # the fixture's day is the one the demands were published on


def test_digest_command_sends_and_records(app, market, mail_outbox):
    with app.test_request_context():
        row = subscriptions.subscribe("cmd@example.kr", Filters(), "weekly", "en")
    row.confirmed_at = utcnow() - timedelta(days=1)
    for demand in market["demands"].values():
        demand.published_at = utcnow() - timedelta(hours=1)
    db.session.flush()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["onestop", "digest", "--weekly"])
    assert result.exit_code == 0, result.output
    assert "weekly digests sent: 1" in result.output
    assert "해안 순찰용 드론" in mail_outbox[-1].body
    assert "마감된 수요" not in mail_outbox[-1].body
    result = runner.invoke(args=["onestop", "digest", "--weekly"])
    assert "weekly digests sent: 0" in result.output
    assert runner.invoke(args=["onestop", "digest", "--daily"]).exit_code == 0


def test_subscription_requests_are_throttled_per_address(client, db_session, mail_outbox):
    for _ in range(subscriptions.MAX_PER_EMAIL):
        assert subscribe(client, email="Same@Example.kr").status_code == 302
    response = subscribe(client, email="same@example.kr")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Too many subscription requests" in response.get_data(as_text=True)
    assert len(mail_outbox) == subscriptions.MAX_PER_EMAIL
    assert subscribe(client, email="other@example.kr").status_code == 302


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        ({"email": "not-an-address", "frequency": "daily"}, "Enter a valid e-mail address."),
        ({"email": "", "frequency": "daily"}, "This field is required."),
        ({"email": "a@example.kr", "frequency": "hourly"}, "Not a valid choice"),
        ({"email": "a@example.kr", "frequency": "daily", "region": "zz"}, "Unknown region code."),
    ],
)
def test_bad_subscription_input_is_4xx_and_writes_nothing(
    app, db_session, mail_outbox, language, data, field_message
):
    client = app.test_client()
    response = client.post(
        "/demand-info/subscribe", data=data, headers={"Accept-Language": language}
    )
    assert 400 <= response.status_code < 500
    if language == "en":
        assert field_message in response.get_data(as_text=True)
    assert db.session.query(DemandInfoSubscription).count() == 0
    assert mail_outbox == type(mail_outbox)(maxlen=mail_outbox.maxlen)


def test_subscribe_form_needs_csrf(client, db_session, csrf):
    assert subscribe(client).status_code == 400


@pytest.mark.parametrize("action", ["confirm", "unsubscribe"])
def test_forged_or_crossed_links_are_refused(app, client, db_session, mail_outbox, action):
    assert client.get(f"/demand-info/subscriptions/{action}/forged").status_code == 422
    assert client.post(f"/demand-info/subscriptions/{action}/forged").status_code == 422
    subscribe(client)
    [confirm_path] = links(mail_outbox[-1])
    token = confirm_path.rsplit("/", 1)[1]
    if action == "unsubscribe":  # a confirmation token is no unsubscribe token
        response = client.post(f"/demand-info/subscriptions/unsubscribe/{token}")
        assert response.status_code == 422
        assert "not valid" in response.get_data(as_text=True)


def test_signed_in_user_manages_their_own_subscriptions(app, client_as, mail_outbox):
    client, user = client_as("citizen")
    form = client.get("/demand-info/subscribe?term=short")
    assert user.email in form.get_data(as_text=True)
    assert subscribe(client, email=user.email, term="short").status_code == 302
    with app.test_request_context():
        theirs = subscriptions.subscribe("someone@example.kr", Filters(), "weekly", "ko")
    db.session.flush()
    page = client.get("/demand-info/subscriptions").get_data(as_text=True)
    assert "waiting for confirmation" in page and "short term" in page
    assert "someone@example.kr" not in page
    own = db.session.query(DemandInfoSubscription).filter_by(email=user.email).one()
    assert own.user_id == user.id
    assert client.post(f"/demand-info/subscriptions/{theirs.id}/cancel").status_code == 404
    assert client.post(f"/demand-info/subscriptions/{own.id}/cancel").status_code == 302
    db.session.refresh(own)
    db.session.refresh(theirs)
    assert own.unsubscribed_at is not None and theirs.unsubscribed_at is None


# -- API --------------------------------------------------------------------------------------


def test_api_lists_with_the_same_filters(client, market):
    response = client.get("/api/v1/demand-info?region=11&per_page=1")
    body = response.get_json()
    assert response.status_code == 200
    assert body["total"] == 2 and body["per_page"] == 1 and len(body["items"]) == 1
    everything = client.get("/api/v1/demand-info").get_json()
    by_uid = {item["uid"]: item for item in everything["items"]}
    drone = by_uid[f"demand-{market['demands']['open'].id}"]
    assert drone["kind"] == "purchase" and drone["state"] == "open" and drone["term"] == "short"
    assert drone["codes"] == ["35613000"] and drone["url"].endswith(f"/demands/{drone['id']}")
    idea = by_uid[f"idea-{market['idea'].id}"]
    assert idea["source"] == "idea" and idea["term"] == "long" and idea["closes_on"] is None


@pytest.mark.parametrize(
    "query", ["kind=x", "from=2025-02-30", "code=1", "sort=random", "per_page=0", "agency=-1"]
)
def test_api_bad_filters_are_422_problem_json(client, db_session, query):
    response = client.get(f"/api/v1/demand-info?{query}")
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    field = query.split("=")[0]
    assert field in {e["field"] for e in response.get_json()["errors"]}


# -- no query per row -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/demand-info", "/demand-info/calendar", "/api/v1/demand-info", "/demand-info/feed.atom"],
)
def test_pages_do_not_query_per_row(app, db_session, path):
    from test_query_counts import count_queries

    factories.add_cpv_codes()
    counts = []
    for batch in (3, 9):
        officer = factories.user_with_role("officer")
        for i in range(batch):
            factories.published_demand(app, officer, title=f"수요 {batch}-{i}")
            adopted_idea(app, officer, title=f"아이디어 {batch}-{i}")
        db.session.flush()
        client = factories.english_client(app)
        client.get(path)
        with count_queries(db.engine) as statements:
            assert client.get(path).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], f"{path}: {counts}"


def test_short_term_is_twelve_months(app, db_session):
    today = date(2025, 1, 1)
    item = services.Item(
        kind="purchase",
        id=1,
        title="t",
        summary="",
        agency_id=None,
        region=None,
        opens_on=None,
        closes_on=today,
        expected_purchase_on=today + timedelta(days=365),
        next_on=None,
        posted_at=None,
        idea_id=None,
        language="ko",
    )
    assert item.term(today) == "short"
    item.expected_purchase_on = today + timedelta(days=366)
    assert item.term(today) == "long"


def test_subscribe_page_describes_the_filters_in_words(client, market):
    agency = market["other"].organisation
    page = client.get(f"/demand-info/subscribe?agency={agency.id}&kind=rnd").get_data(as_text=True)
    assert agency.name_en in page and "R&amp;D demand survey" in page
    assert f'name="agency" value="{agency.id}"' in page
