"""The JavaScript that plays an animation built by :mod:`labsupport.viz.animate`.

It is a single function ``(root, D)``: ``root`` is the animation's block,
``D`` the data computed in Python (messages with pixel coordinates, marks,
spans and one caption per step). The state is a time ``t`` and a count ``k``
of events shown; the block opens on the first frame (every event at the
first event's time, so the reader sees the run begin before pressing Play),
Play advances ``t`` in real time, the step buttons move ``k`` by one event,
the slider sets ``t``. No globals, no network.
"""

__all__ = ["PLAYER_JS"]

PLAYER_JS = r"""function (root, D) {
  if (!root || root.getAttribute("data-ready")) { return; }
  root.setAttribute("data-ready", "1");
  var q = function (s) { return root.querySelector(s); };
  var N = D.steps.length, t = 0, k = 0, playing = false, last = null;
  var msgs = q(".anim-messages").children, marks = q(".anim-marks").children, spans = q(".anim-spans").children;
  var play = q(".anim-play"), slider = q(".anim-slider"), out = q(".anim-time");
  var caption = q(".anim-caption"), now = q(".anim-now");
  var duration = Math.min(15, Math.max(4, 0.4 * N)) * 1000;  // wall-clock ms to play the whole run
  function X(time) { return D.left + D.plot * time / D.end; }
  function count(time) { var n = 0; while (n < N && D.steps[n][0] <= time + 1e-12) { n++; } return n; }
  function render(fromSlider) {
    D.messages.forEach(function (m, i) {
      var g = msgs[i], line = g.children[0], end = g.children[1], dot = g.children[2];
      g.style.display = k > m.a ? "" : "none";
      if (k <= m.a) { return; }
      var arrived = m.b !== null && k > m.b, t1 = m.t1 === null ? D.end : m.t1;
      var u = arrived ? 1 : (t1 > m.t0 ? Math.min(1, Math.max(0, (t - m.t0) / (t1 - m.t0))) : 0);
      var px = m.x0 + u * (m.x1 - m.x0), py = m.y0 + u * (m.y1 - m.y0);
      line.setAttribute("x2", px.toFixed(1)); line.setAttribute("y2", py.toFixed(1));
      dot.setAttribute("cx", px.toFixed(1)); dot.setAttribute("cy", py.toFixed(1));
      end.setAttribute("visibility", arrived ? "visible" : "hidden");
      dot.setAttribute("visibility", arrived ? "hidden" : "visible");
    });
    D.marks.forEach(function (m, i) { marks[i].style.display = k > m.a ? "" : "none"; });
    D.spans.forEach(function (s, i) {
      spans[i].style.display = k > s.a ? "" : "none";
      var right = (s.b !== null && k > s.b) ? s.x1 : Math.min(s.x1, X(t));
      spans[i].setAttribute("width", Math.max(1.5, right - s.x0).toFixed(1));
    });
    now.setAttribute("x1", X(t).toFixed(1)); now.setAttribute("x2", X(t).toFixed(1));
    now.setAttribute("visibility", t > 0 && t < D.end ? "visible" : "hidden");
    out.textContent = "t = " + (t * D.scale).toFixed(2) + " " + D.unit;
    if (!fromSlider) { slider.value = String(Math.round(1000 * t / D.end)); }
    caption.setAttribute("data-step", String(k));
    caption.textContent = "event " + k + " of " + N + ": " + (k ? D.steps[k - 1][1] : "press Play, or Step to go one event at a time");
  }
  function frame(stamp) {
    if (!playing) { return; }
    if (last !== null) { t = Math.min(D.end, t + (stamp - last) / duration * D.end); }
    last = stamp;
    k = count(t);
    render(false);
    if (t >= D.end) { setPlaying(false); } else { window.requestAnimationFrame(frame); }
  }
  function setPlaying(on) {
    playing = on; last = null;
    play.innerHTML = on ? "&#10074;&#10074; Pause" : "&#9654; Play";
    if (on) {
      if (k >= N) { t = 0; k = 0; }
      window.requestAnimationFrame(frame);
    }
  }
  play.addEventListener("click", function () { setPlaying(!playing); });
  q(".anim-forward").addEventListener("click", function () {
    setPlaying(false);
    if (k < N) { k += 1; t = D.steps[k - 1][0]; }
    render(false);
  });
  q(".anim-back").addEventListener("click", function () {
    setPlaying(false);
    if (k > 0) { k -= 1; t = k ? D.steps[k - 1][0] : 0; }
    render(false);
  });
  slider.addEventListener("input", function () {
    setPlaying(false);
    t = Number(slider.value) / 1000 * D.end; k = count(t);
    render(true);
  });
  t = D.steps[0][0]; k = count(t);  // open on the first frame: the events at the first event's time
  render(false);
}"""
