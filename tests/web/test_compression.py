"""Answers over 1 kB go compressed, brotli where the browser takes it, else gzip, and read back
as the same page; smaller ones and what the browser does not accept go as they are."""

from __future__ import annotations

import gzip

import brotli

from tests.web.test_api import bearer, token_for


def test_a_dashboard_goes_compressed_and_reads_back_the_same(viewer):
    viewer.get("/")  # the "signed in" message is shown once, here
    plain = viewer.get("/cohort", headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200
    assert "Content-Encoding" not in plain.headers
    html = plain.get_data()
    assert len(html) > 1024
    squeezed = viewer.get("/cohort", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert squeezed.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in squeezed.headers["Vary"]
    assert len(squeezed.get_data()) < len(html) / 4
    assert brotli.decompress(squeezed.get_data()) == html
    zipped = viewer.get("/cohort", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.get_data()) == html


def test_small_answers_go_as_they_are(client):
    answer = client.get("/livez", headers={"Accept-Encoding": "br, gzip"})
    assert answer.status_code == 200
    assert "Content-Encoding" not in answer.headers


def test_the_api_answers_compressed(client):
    listed = client.get(
        "/api/v1/cities?limit=100",
        headers={**bearer(token_for("viewer")), "Accept-Encoding": "gzip"},
    )
    assert listed.status_code == 200
    assert listed.headers["Content-Encoding"] == "gzip"
    assert b'"items"' in gzip.decompress(listed.get_data())
