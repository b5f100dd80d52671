"""Protocol animations (labsupport.viz.animate) play, pause and step in the static page, with no kernel."""

from __future__ import annotations

import re

import pytest

from browserbook import ROOT, is_notebook, toc_pages

ANIMATED = [f for f in toc_pages() if is_notebook(f) and "animate_trace(" in (ROOT / f"{f}.ipynb").read_text()]


def seconds(root) -> float:
    """The time display ("t = 12.34 ms") as a number in its own unit."""
    return float(re.match(r"t = ([0-9.]+) ", root.locator(".anim-time").text_content()).group(1))


def step(root) -> int:
    return int(root.locator(".anim-caption").get_attribute("data-step"))


def test_some_page_has_an_animation():
    assert ANIMATED, "Chapter 1's concurrency page should show a protocol animation"


@pytest.mark.parametrize("file", ANIMATED)
def test_play_advances_time_and_step_moves_one_event(book, new_page, file):
    page, network = new_page()
    page.goto(book.page_url(file), wait_until="networkidle")
    animations = page.locator("div.trace-animation")
    assert animations.count() >= 1
    for i in range(animations.count()):
        root = animations.nth(i)
        root.scroll_into_view_if_needed()
        events = root.locator("ol.anim-events li").count()
        listed = [li.split(": ", 1) for li in root.locator("ol.anim-events li").all_text_contents()]
        opening = sum(1 for clock, _ in listed if clock == listed[0][0])  # the events at the first event's time
        assert step(root) == opening >= 1, "the player should open on its first frame, before Play"
        assert root.locator(".anim-time").text_content() == f"t = {listed[0][0]}"
        assert root.locator(".anim-caption").text_content().endswith(listed[opening - 1][1])
        drawn = root.locator(".anim-messages > g:visible, .anim-marks > :visible, .anim-spans > :visible").count()
        assert drawn >= 1, "the first frame should draw the run's first event, not an empty diagram"

        root.locator(".anim-play").click()
        time = root.locator(".anim-time").element_handle()
        page.wait_for_function("el => parseFloat(el.textContent.slice(4)) > 0", arg=time)
        first = seconds(root)
        page.wait_for_function("([el, t]) => parseFloat(el.textContent.slice(4)) > t", arg=[time, first])
        root.locator(".anim-play").click()  # pause
        paused = seconds(root)
        page.wait_for_timeout(300)
        assert seconds(root) == paused > first > 0, "pause should stop the clock"
        assert root.locator(".anim-messages > g:visible").count() >= 1, "messages sent by now should be drawn"

        root.locator(".anim-slider").evaluate("s => { s.value = '0'; s.dispatchEvent(new Event('input')); }")
        at_zero = step(root)  # the events that happen at time 0
        at_time_zero = root.locator("ol.anim-events li", has_text=re.compile(r"^0\.00 ")).count()
        assert seconds(root) == 0 and at_zero == at_time_zero
        root.locator(".anim-forward").click()
        assert step(root) == at_zero + 1
        event = root.locator("ol.anim-events li").nth(at_zero).text_content()
        assert root.locator(".anim-caption").text_content().endswith(event.split(": ", 1)[1])
        clock = root.locator(".anim-time").text_content()
        assert clock == f"t = {event.split(':', 1)[0]}", "a step moves the clock to the event's time"
        root.locator(".anim-forward").click()
        assert step(root) == at_zero + 2
        root.locator(".anim-back").click()
        assert step(root) == at_zero + 1
        for _ in range(at_zero + 1):
            root.locator(".anim-back").click()
        assert step(root) == 0 and seconds(root) == 0

        root.locator(".anim-slider").evaluate("s => { s.value = s.max; s.dispatchEvent(new Event('input')); }")
        assert step(root) == events, "the end of the slider shows every event"
    assert not (network.blocked or network.failed or network.console_errors or network.page_errors), network
