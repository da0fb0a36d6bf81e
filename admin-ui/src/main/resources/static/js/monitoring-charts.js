// Draws the monitoring page's charts with uPlot and keeps them, the totals and the table up to date
// without reloading the page: every data-refresh-seconds it reads the same filters' numbers as JSON from
// data-series-url (same origin, the session's cookie) and hands them to uPlot's setData. Optional: without
// script the page shows the same numbers as text and as a table.
(function () {
  'use strict';

  // colours with at least 3:1 contrast on white, each line also with its own dash pattern
  var STROKES = ['#1f4e79', '#b35900', '#1e7a46', '#7b1fa2', '#b42318', '#37474f'];
  var DASHES = [[], [10, 5], [2, 4], [12, 4, 2, 4], [6, 3], [1, 3]];
  var HEIGHT = 220;

  var state = { root: null, timer: null, plots: {}, shapes: {} };

  function utc(ts) {
    return window.uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC');
  }

  function status(text) {
    var element = document.getElementById('monitoring-status');
    if (element) {
      element.textContent = text;
    }
  }

  function widthOf(element) {
    return Math.max(280, Math.floor(element.clientWidth || 600));
  }

  // 24-hour UTC times on the axis (with the date over more than a day) and in the legend
  function ticks(u, splits) {
    var span = splits.length > 1 ? splits[splits.length - 1] - splits[0] : 0;
    var format = window.uPlot.fmtDate(span > 86400 ? '{MM}-{DD}' : '{HH}:{mm}');
    return splits.map(function (s) { return format(utc(s)); });
  }

  function options(chart, width) {
    var full = window.uPlot.fmtDate('{YYYY}-{MM}-{DD} {HH}:{mm}');
    var series = [{ label: 'time (UTC)', value: function (u, v) { return v == null ? '–' : full(utc(v)); } }];
    chart.series.forEach(function (one, i) {
      series.push({
        label: one.label,
        stroke: STROKES[i % STROKES.length],
        dash: DASHES[i % DASHES.length],
        width: 2,
        points: { show: true, size: 4 },
        spanGaps: false,
        value: function (u, v) { return v == null ? '–' : v + ' ' + chart.unit; }
      });
    });
    return {
      width: width,
      height: HEIGHT,
      tzDate: utc,
      scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; } } },
      series: series,
      axes: [
        { label: 'time (UTC)', stroke: '#1d2733', grid: { stroke: '#d9dee5' }, values: ticks },
        { label: chart.unit, stroke: '#1d2733', grid: { stroke: '#d9dee5' }, size: 60 }
      ],
      legend: { show: true, live: true }
    };
  }

  function dataOf(answer, chart) {
    var data = [answer.times];
    chart.series.forEach(function (one) {
      data.push(one.values);
    });
    return data;
  }

  function shapeOf(chart) {
    return chart.series.map(function (one) { return one.label; }).join('\u0000');
  }

  function draw(answer) {
    // every figure shown before any is measured: the grid lays them out side by side
    answer.charts.forEach(function (chart) {
      var figure = state.root.querySelector('figure[data-chart="' + chart.id + '"]');
      if (figure) {
        figure.hidden = false;
      }
    });
    answer.charts.forEach(function (chart) {
      var figure = state.root.querySelector('figure[data-chart="' + chart.id + '"]');
      var host = state.root.querySelector('[data-chart-plot="' + chart.id + '"]');
      if (!figure || !host) {
        return;
      }
      figure.hidden = false;
      var plot = state.plots[chart.id];
      var shape = shapeOf(chart);
      if (plot && state.shapes[chart.id] === shape) {
        plot.setData(dataOf(answer, chart));
        return;
      }
      if (plot) {
        plot.destroy();
      }
      // an error or quota chart without any series has nothing to draw: its figure says so
      if (chart.series.length === 0) {
        host.textContent = 'None in this window.';
        delete state.plots[chart.id];
        state.shapes[chart.id] = shape;
        return;
      }
      host.textContent = '';
      state.plots[chart.id] = new window.uPlot(options(chart, widthOf(host)), dataOf(answer, chart), host);
      state.shapes[chart.id] = shape;
    });
  }

  function text(answer) {
    Object.keys(answer.totals).forEach(function (key) {
      var element = state.root.querySelector('[data-total="' + key + '"]');
      if (element) {
        element.textContent = answer.totals[key];
      }
    });
    var range = state.root.querySelector('[data-range]');
    if (range) {
      range.textContent = 'from ' + answer.from + ' to ' + answer.to + ' (UTC), in steps of ' + answer.step;
    }
    var empty = state.root.querySelector('[data-empty]');
    if (empty) {
      empty.hidden = answer.requests > 0;
    }
    var body = state.root.querySelector('tbody[data-rows]');
    if (body) {
      while (body.firstChild) {
        body.removeChild(body.firstChild);
      }
      answer.rows.forEach(function (row) {
        var tr = document.createElement('tr');
        row.forEach(function (cell, i) {
          var td = document.createElement(i === 0 ? 'th' : 'td');
          if (i === 0) {
            td.setAttribute('scope', 'row');
          }
          td.textContent = cell;
          tr.appendChild(td);
        });
        body.appendChild(tr);
      });
    }
  }

  function refresh() {
    var url = state.root && state.root.getAttribute('data-series-url');
    if (!url) {
      return;
    }
    var root = state.root;
    fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, status: response.status, body: body }; },
          function () { return { ok: false, status: response.status, body: null }; });
      })
      .then(function (result) {
        if (root !== state.root) {
          return;
        }
        if (!result.ok) {
          var message = result.body && result.body.error ? result.body.error.message : 'the console answered ' + result.status;
          status('The numbers could not be refreshed: ' + message);
          return;
        }
        draw(result.body);
        text(result.body);
        root.setAttribute('data-refreshed-at', new Date().toISOString());
        status('Updated at ' + new Date().toISOString().substring(11, 19) + ' UTC.');
      })
      .catch(function () {
        if (root === state.root) {
          status('The numbers could not be refreshed: the console did not answer.');
        }
      });
  }

  function start() {
    if (state.timer) {
      window.clearInterval(state.timer);
      state.timer = null;
    }
    Object.keys(state.plots).forEach(function (id) { state.plots[id].destroy(); });
    state.plots = {};
    state.shapes = {};
    state.root = document.getElementById('monitoring');
    if (!state.root || !window.uPlot || !window.fetch || !state.root.querySelector('[data-chart]')) {
      return;
    }
    refresh();
    var seconds = parseInt(state.root.getAttribute('data-refresh-seconds'), 10);
    if (seconds > 0) {
      state.timer = window.setInterval(refresh, seconds * 1000);
    }
  }

  var resizing = null;
  window.addEventListener('resize', function () {
    window.clearTimeout(resizing);
    resizing = window.setTimeout(function () {
      Object.keys(state.plots).forEach(function (id) {
        var host = state.root && state.root.querySelector('[data-chart-plot="' + id + '"]');
        if (host) {
          state.plots[id].setSize({ width: widthOf(host), height: HEIGHT });
        }
      });
    }, 150);
  });

  // the filters are sent by htmx, which swaps #monitoring: a refusal (400, 404) is a page with the message
  // next to the filter, so it is swapped in too
  document.addEventListener('htmx:beforeSwap', function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status >= 400 && status < 500 && event.detail.target && event.detail.target.id === 'monitoring') {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.addEventListener('htmx:afterSettle', function (event) {
    if (document.getElementById('monitoring') !== state.root) {
      start();
    }
  });

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  }
  else {
    start();
  }
}());
