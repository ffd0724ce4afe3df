from __future__ import annotations

import gzip
import re
import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from govcrawl.raw import (
    RawArchive,
    RawError,
    default_raw_dir,
    headers_from_scrapy,
    iter_raw,
    parse_ref,
    read_raw,
    warc_files,
)

WHEN = datetime(2026, 3, 4, 5, 6, 7, 891011)
BINARY = bytes(range(256)) * 40 + b"\r\n\r\nWARC/1.1\r\n"  # every byte, and a fake record head
HTML_GBK = "<html><meta charset=gbk><p>扎兰屯市2021年政府信息公开工作年度报告</p></html>".encode(
    "gbk"
)
HEADERS = [
    ("Content-Type", "text/html; charset=GBK"),
    ("Server", "nginx"),
    ("Set-Cookie", "a=1; Path=/"),
    ("Set-Cookie", "b=2; Path=/"),  # repeated headers stay separate
    # bytes as received (UTF-8 on the wire), decoded latin-1 by headers_from_scrapy
    ("Content-Disposition", 'attachment; filename="' + "报告.pdf".encode().decode("latin-1") + '"'),
]


def test_round_trip(tmp_path: Path) -> None:
    pages = [
        ("http://www.zhalantun.gov.cn/zwgk/nb/t1.html", 200, HEADERS, HTML_GBK),
        ("http://www.zhalantun.gov.cn/files/r.pdf?id=3", 200, [("Content-Type", "x")], BINARY),
        ("https://www.example.gov.cn/", 203, [], b""),
    ]
    with RawArchive(tmp_path, 12) as archive:
        refs = [
            archive.write(url, status, headers, body, WHEN + timedelta(seconds=i))
            for i, (url, status, headers, body) in enumerate(pages)
        ]
        assert archive.path is not None
        assert re.fullmatch(r"govcrawl-run12-\d+-\d{20}\.warc\.gz", archive.path.name)
    assert [p.name for p in warc_files(tmp_path)] == [archive.path.name]
    offsets = [parse_ref(ref)[1] for ref in refs]
    assert offsets == sorted(offsets) and len(set(offsets)) == 3 and offsets[0] > 0
    assert all(ref.startswith(archive.path.name + "#") for ref in refs)
    for i, (ref, (url, status, headers, body)) in enumerate(zip(refs, pages, strict=True)):
        record = read_raw(tmp_path, ref)
        assert record.url == url
        assert record.status == status
        assert record.body == body
        assert record.headers == headers
        assert record.fetched_at == WHEN + timedelta(seconds=i)
    assert read_raw(tmp_path, refs[0]).content_type == "text/html; charset=GBK"
    # iter_raw: every response, with the same refs
    assert [(ref, rec.body) for ref, rec in iter_raw(tmp_path)] == list(
        zip(refs, [p[3] for p in pages], strict=True)
    )
    # a standard WARC: request + response per fetch, digests right
    types = []
    with open(archive.path, "rb") as handle:
        for rec in ArchiveIterator(handle, check_digests="raise"):
            rec.content_stream().read()
            types.append(rec.rec_type)
    assert types == ["warcinfo"] + ["request", "response"] * 3
    # one gzip member per record: the file as a whole is plain gzip
    assert gzip.decompress(archive.path.read_bytes()).count(b"WARC/1.1\r\n") == 7 + 1


def test_request_record_and_info(tmp_path: Path) -> None:
    aware = datetime(2026, 3, 4, 13, 0, tzinfo=timezone(timedelta(hours=8)))
    with RawArchive(tmp_path, None) as archive:
        ref = archive.write(
            "http://a.gov.cn/x/y.jsp?b=2&a=1",
            200,
            [("Content-Type", "text/html")],
            b"<p>x</p>",
            aware,
            request_headers=[("User-Agent", "govcrawl"), ("Referer", "http://a.gov.cn/")],
            method="POST",
            info={"container": "div.TRS_Editor", "listing_title": "2021年年报", "none": None},
        )
        assert archive.path is not None and archive.path.name.startswith("govcrawl-runx-")
    record = read_raw(tmp_path, ref)
    assert record.fetched_at == datetime(2026, 3, 4, 5, 0)  # naive UTC
    assert record.info == {"container": "div.TRS_Editor", "listing_title": "2021年年报"}
    with open(archive.path, "rb") as handle:
        request = next(r for r in ArchiveIterator(handle) if r.rec_type == "request")
        assert request.http_headers.protocol == "POST"
        assert request.http_headers.statusline == "/x/y.jsp?b=2&a=1 HTTP/1.1"
        assert request.http_headers.get_header("Host") == "a.gov.cn"
        assert request.http_headers.get_header("Referer") == "http://a.gov.cn/"
        assert request.rec_headers.get_header("WARC-Concurrent-To")


def test_decoded_body_renames_transport_headers(tmp_path: Path) -> None:
    page = b"<html>" + b"x" * 500 + b"</html>"
    packed = gzip.compress(page)
    headers = [
        ("Content-Encoding", "gzip"),
        ("Content-Length", str(len(packed))),
        ("Transfer-Encoding", "chunked"),
        ("Content-Type", "text/html"),
    ]
    with RawArchive(tmp_path, 1) as archive:
        decoded = archive.write("http://a.gov.cn/1", 200, headers, page, WHEN)
        still_packed = archive.write(
            "http://a.gov.cn/2", 200, headers[:2] + headers[3:], packed, WHEN
        )
    assert read_raw(tmp_path, decoded).headers == [
        ("X-Crawler-Content-Encoding", "gzip"),
        ("X-Crawler-Content-Length", str(len(packed))),
        ("X-Crawler-Transfer-Encoding", "chunked"),
        ("Content-Type", "text/html"),
    ]
    record = read_raw(tmp_path, still_packed)  # a body still gzipped keeps its headers
    assert record.headers == headers[:2] + headers[3:]
    assert record.body == packed
    # and warcio decodes each record to the page
    assert archive.path is not None
    with open(archive.path, "rb") as handle:
        bodies = [
            r.content_stream().read() for r in ArchiveIterator(handle) if r.rec_type == "response"
        ]
    assert bodies == [page, page]


def test_two_writers_in_two_threads(tmp_path: Path) -> None:
    shared = RawArchive(tmp_path, 5)
    own = RawArchive(tmp_path, 6)
    written: dict[str, bytes] = {}
    lock = threading.Lock()

    def work(name: str, archive: RawArchive) -> None:
        for i in range(40):
            body = f"{name}-{i}-".encode() * (i * 37 + 1)
            ref = archive.write(f"http://a.gov.cn/{name}/{i}", 200, [], body, WHEN)
            with lock:
                written[ref] = body

    threads = [
        threading.Thread(target=work, args=(name, archive))
        for name, archive in (("a", shared), ("b", shared), ("c", own))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    shared.close()
    own.close()
    with pytest.raises(RuntimeError):
        shared.write("http://a.gov.cn/late", 200, [], b"", WHEN)
    assert len(written) == 120
    assert len(warc_files(tmp_path)) == 2
    assert {ref: rec.body for ref, rec in iter_raw(tmp_path)} == written
    for ref, body in written.items():
        assert read_raw(tmp_path, ref).body == body


def test_truncated_file_reads_complete_records(tmp_path: Path) -> None:
    source = tmp_path / "src"
    bodies = [b"first " * 300, b"second " * 300, b"third " * 3000]
    with RawArchive(source, 3) as archive:
        refs = [
            archive.write(f"http://a.gov.cn/{i}", 200, [], b, WHEN) for i, b in enumerate(bodies)
        ]
    assert archive.path is not None
    data = archive.path.read_bytes()
    last = parse_ref(refs[2])[1]
    cut_dir = tmp_path / "cut"
    cut_dir.mkdir()
    target = cut_dir / archive.path.name
    # killed anywhere while writing the third response record
    for cut in range(last + 1, len(data) - 20, 97):
        target.write_bytes(data[:cut])
        assert [ref for ref, _ in iter_raw(cut_dir)] == refs[:2], cut
        assert read_raw(cut_dir, refs[1]).body == bodies[1]
        with pytest.raises(RawError):
            read_raw(cut_dir, refs[2])
    # killed while writing the request record of the third fetch
    target.write_bytes(data[: last - 40])
    assert [rec.body for _, rec in iter_raw(cut_dir)] == bodies[:2]


def test_bad_refs(tmp_path: Path) -> None:
    with RawArchive(tmp_path, 1) as archive:
        ref = archive.write("http://a.gov.cn/", 200, [], b"x", WHEN)
    name, offset = parse_ref(ref)
    for bad in ("nohash", "../etc/passwd#0", f"{name}#x", "#12"):
        with pytest.raises(RawError):
            read_raw(tmp_path, bad)
    with pytest.raises(FileNotFoundError):
        read_raw(tmp_path, "missing.warc.gz#0")
    with pytest.raises(RawError):  # the request record before it
        read_raw(tmp_path, f"{name}#{offset - 1}")
    with pytest.raises(RawError):
        read_raw(tmp_path, f"{name}#0")  # the warcinfo record


def test_default_raw_dir() -> None:
    assert default_raw_dir("sqlite:////data/x/archive.db") == Path("/data/x/archive.raw")
    assert default_raw_dir("sqlite:///archive.db") == Path("archive.raw")
    assert default_raw_dir("sqlite:///archive") == Path("archive.raw")
    env = {"GOVCRAWL_RAW_DIR": "/srv/raw"}
    assert default_raw_dir("postgresql://u@h/db", env) == Path("/srv/raw")
    assert default_raw_dir("postgresql://u@h/db", {}) == Path("govcrawl-raw")
    assert default_raw_dir("sqlite://", {}) == Path("govcrawl-raw")


def test_headers_from_scrapy() -> None:
    from scrapy.http.headers import Headers

    headers = Headers({"Content-Type": "text/html"})
    headers.appendlist("Set-Cookie", b"a=1")
    headers.appendlist("Set-Cookie", b"b=2")
    headers["X-Name"] = "报告".encode("gbk")
    out = headers_from_scrapy(headers)
    assert ("Content-Type", "text/html") in out
    assert [v for k, v in out if k == "Set-Cookie"] == ["a=1", "b=2"]
    assert dict(out)["X-Name"].encode("latin-1") == "报告".encode("gbk")


def test_now_is_stamped_in_utc(tmp_path: Path) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    with RawArchive(tmp_path, 2) as archive:
        ref = archive.write("http://a.gov.cn/", 200, [], b"x", now)
    assert read_raw(tmp_path, ref).fetched_at == now
