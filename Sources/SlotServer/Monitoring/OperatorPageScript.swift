/// The operator page's script, in three parts: helpers, the overview with its charts, and the day view. Every
/// server value goes into the page through `textContent` or an SVG attribute, never as markup.
enum OperatorPageScript {
    static let common = #"""
        "use strict";
        const REFRESH_MS = 5000;
        const WINDOW_SECONDS = 900;
        const SVG = "http://www.w3.org/2000/svg";
        const $ = (id) => document.getElementById(id);
        const setText = (id, text) => { $(id).textContent = text; };
        const query = new URLSearchParams(location.search);

        // location.origin, not a relative path: a page opened as http://user:secret@host/ would otherwise resolve
        // to a URL with credentials, which fetch refuses; the browser resends the page's Basic credentials itself.
        async function api(path, params) {
          const url = new URL(path, location.origin);
          for (const [name, value] of Object.entries(params || {})) { if (value) url.searchParams.set(name, value); }
          const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
          const body = await response.json().catch(() => ({ error: "bad_reply", message: response.statusText }));
          if (!response.ok) { throw new Error(body.message || body.error || String(response.status)); }
          return body;
        }

        function duration(seconds) {
          const units = [["d", 86400], ["h", 3600], ["m", 60], ["s", 1]];
          const parts = [];
          let rest = Math.max(0, Math.floor(seconds));
          for (const [name, size] of units) {
            const count = Math.floor(rest / size);
            rest -= count * size;
            if (count > 0 || (parts.length === 0 && size === 1)) { parts.push(count + name); }
          }
          return parts.join(" ");
        }

        const count = (value) => Number(value).toLocaleString("en-US");

        function bytes(value) {
          const units = ["B", "KB", "MB", "GB"];
          let size = value;
          let unit = 0;
          while (size >= 1024 && unit < units.length - 1) { size /= 1024; unit += 1; }
          return (unit === 0 ? size : size.toFixed(1)) + " " + units[unit];
        }

        function element(name, attributes, text) {
          const node = name.startsWith("svg:")
            ? document.createElementNS(SVG, name.slice(4)) : document.createElement(name);
          for (const [key, value] of Object.entries(attributes || {})) { node.setAttribute(key, String(value)); }
          if (text !== undefined) { node.textContent = text; }
          return node;
        }

        function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

        function fields(id, pairs) {
          const list = $(id);
          clear(list);
          for (const [name, value] of pairs) {
            list.appendChild(element("dt", {}, name));
            list.appendChild(element("dd", {}, value));
          }
        }
        """#

    static let overview = #"""
        // One chart: each series a polyline (broken where a second has no value), newest second at the right.
        function chart(id, series, format) {
          const svg = $(id);
          clear(svg);
          const [width, height, top] = [900, 130, 12];
          const values = series.flatMap((line) => line.values.filter((value) => value !== null));
          const max = Math.max(...values, 0) || 1;
          for (const fraction of [0, 0.5, 1]) {
            const y = top + (height - top) * (1 - fraction);
            svg.appendChild(element("svg:line", { class: "grid", x1: 0, x2: width, y1: y, y2: y }));
            if (fraction > 0) { svg.appendChild(element("svg:text", { x: 2, y: y - 2 }, format(max * fraction))); }
          }
          for (const line of series) {
            const count = line.values.length;
            let points = [];
            const flush = () => {
              if (points.length > 0) {
                svg.appendChild(element("svg:polyline", { class: line.class, points: points.join(" ") }));
              }
              points = [];
            };
            line.values.forEach((value, index) => {
              if (value === null) { flush(); return; }
              const x = width * (WINDOW_SECONDS - (count - 1 - index)) / WINDOW_SECONDS;
              const y = top + (height - top) * (1 - value / max);
              points.push(x.toFixed(1) + "," + y.toFixed(1));
            });
            flush();
          }
        }

        function showCharts(samples) {
          const requests = samples.map((sample) => sample.requests);
          const errors = samples.map((sample) => sample.errors);
          const p99 = samples.map((s) => s.duration_p99_seconds === null ? null : s.duration_p99_seconds * 1000);
          const p50 = samples.map((s) => s.duration_p50_seconds === null ? null : s.duration_p50_seconds * 1000);
          chart("chart-rate", [{ values: requests, class: "series-a" }, { values: errors, class: "series-b" }],
            (value) => value.toFixed(value < 10 ? 1 : 0));
          chart("chart-p99", [{ values: p99, class: "series-a" }, { values: p50, class: "series-b" }],
            (value) => value.toFixed(value < 10 ? 2 : 0) + " ms");
          const last = samples[samples.length - 1];
          const total = requests.reduce((sum, value) => sum + value, 0);
          const worst = Math.max(...p99.filter((value) => value !== null), 0);
          setText("rate-caption", samples.length === 0 ? "no samples yet"
            : `${count(total)} replies in ${samples.length} s; last second ${count(last.requests)}, ` +
              `${count(last.errors)} errors`);
          setText("p99-caption", worst === 0 ? "no requests in the window"
            : `highest p99 ${worst.toFixed(2)} ms (bucket upper bounds, at most 25 % above the true value)`);
        }

        function showServer(overview) {
          const stats = overview.stats;
          setText("uptime", duration(stats.uptime_seconds));
          setText("started-at", stats.started_at);
          setText("now", stats.now);
          setText("resources", count(stats.resources) + (overview.tenant ? ` in tenant ${overview.tenant}` : ""));
          setText("active-bookings", count(stats.active_bookings));
          setText("active-holds", count(stats.active_holds));
          setText("connections", count(stats.connections));
          setText("idempotency-keys", count(stats.idempotency_keys));
          setText("journal-id", stats.journal_id);
          setText("journal-sequence", count(stats.journal_sequence));
          setText("durable-sequence", count(stats.durable_sequence));
          const last = overview.samples[overview.samples.length - 1];
          setText("queue-depth", last ? count(last.journal_queue_depth) : "no sample yet");
          setText("journal-commits", count(stats.journal_commits));
          const snapshot = stats.last_snapshot;
          fields("snapshot-fields", snapshot === null ? [["Snapshot", "none since slotd started"]] : [
            ["Taken", snapshot.taken_at], ["File", snapshot.path],
            ["Through entry", count(snapshot.journal_sequence)], ["Resources", count(snapshot.resources)],
            ["Bookings", count(snapshot.bookings)], ["Size", bytes(snapshot.size_bytes)],
            ["Took", snapshot.duration_ms.toFixed(1) + " ms"],
          ]);
        }

        function showBusiest(overview) {
          const rows = $("busiest-rows");
          clear(rows);
          setText("busiest-note", `most active bookings now, holds included; top ${overview.busiest_max}`);
          if (overview.busiest.length === 0) {
            const row = rows.appendChild(element("tr"));
            row.appendChild(element("td", { colspan: 5, class: "muted" }, "no active bookings"));
          }
          for (const resource of overview.busiest) {
            const row = rows.appendChild(element("tr", { class: "pick" }));
            for (const text of [resource.resource, resource.tenant || "", resource.time_zone,
              count(resource.active_bookings), count(resource.active_holds)]) {
              row.appendChild(element("td", {}, text));
            }
            row.addEventListener("click", () => pickDay(resource.resource, resource.tenant || "", ""));
          }
        }

        async function refreshOverview() {
          try {
            const overview = await api("/api/overview", { tenant: query.get("tenant") });
            showServer(overview);
            showCharts(overview.samples);
            showBusiest(overview);
            setText("status", "updated " + new Date().toLocaleTimeString("en-GB"));
            return overview;
          } catch (error) {
            setText("status", "cannot read /api/overview: " + error.message);
            return null;
          }
        }
        """#

    static let day = #"""
        let dayChoice = null;

        // Lanes for overlapping bookings (a resource of capacity above one): each goes in the first lane free by
        // its start.
        function lanes(bookings) {
          const ends = [];
          return bookings.map((booking) => {
            let lane = ends.findIndex((end) => end <= booking.start);
            if (lane < 0) { lane = ends.length; ends.push(booking.end); } else { ends[lane] = booking.end; }
            return lane;
          });
        }

        const clock = (local) => local.slice(11, 16);

        function timeline(view) {
          const svg = $("day-timeline");
          clear(svg);
          const [from, to] = [Date.parse(view.from), Date.parse(view.to)];
          const [width, axis, laneHeight] = [960, 16, 22];
          const x = (time) => width * (Math.min(Math.max(time, from), to) - from) / (to - from);
          const placed = lanes(view.bookings);
          const height = axis + laneHeight * Math.max(1, Math.max(-1, ...placed) + 1);
          svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
          let hour;
          try {
            hour = new Intl.DateTimeFormat("en-GB", { timeZone: view.time_zone, hour: "2-digit", hourCycle: "h23" });
          } catch (error) { hour = null; }
          for (let time = from, index = 0; time < to; time += 3600000, index += 1) {
            svg.appendChild(element("svg:line", { class: "grid", x1: x(time), x2: x(time), y1: 12, y2: height }));
            const label = hour ? hour.format(new Date(time)) : String(index).padStart(2, "0");
            if (index % 2 === 0) { svg.appendChild(element("svg:text", { x: x(time) + 2, y: 10 }, label)); }
          }
          // Where the next bar of each bar's lane starts: a label after a bar must not run into it.
          const nextStart = view.bookings.map(() => to);
          const lastInLane = [];
          view.bookings.forEach((booking, index) => {
            const previous = lastInLane[placed[index]];
            if (previous !== undefined) { nextStart[previous] = Date.parse(booking.start); }
            lastInLane[placed[index]] = index;
          });
          view.bookings.forEach((booking, index) => {
            const [start, end] = [Date.parse(booking.start), Date.parse(booking.end)];
            const y = axis + placed[index] * laneHeight;
            const bar = element("svg:rect", {
              class: "bar-" + booking.state, x: x(start), y: y, height: laneHeight - 4, rx: 3,
              width: Math.max(2, x(end) - x(start)), "data-booking": booking.id,
            });
            const text = `${clock(booking.start_local)}–${clock(booking.end_local)} ${booking.customer}`;
            bar.appendChild(element("svg:title", {}, `${booking.id} ${booking.state} ${text}`));
            svg.appendChild(bar);
            // Inside the bar when it fits (about 6.5 units a character), after it when the lane has room there,
            // otherwise only in the bar's tooltip and the table below.
            const textWidth = text.length * 6.5 + 6;
            const inside = x(end) - x(start) >= textWidth;
            if (!inside && x(end) + textWidth > x(nextStart[index])) { return; }
            svg.appendChild(element("svg:text", {
              class: inside ? "bar-label" : "", x: inside ? x(start) + 3 : x(end) + 3, y: y + 13,
            }, text));
          });
        }

        function showDay(view) {
          const where = view.tenant ? `${view.tenant} / ${view.resource}` : view.resource;
          setText("day-title", `${where} on ${view.date} in ${view.time_zone}, ${view.from_local} to ` +
            `${view.to_local}: ${view.bookings.length} active${view.truncated ? " (more not shown)" : ""}`);
          $("day-date").value = view.date;
          setText("day-error", "");
          timeline(view);
          const rows = $("day-rows");
          clear(rows);
          for (const booking of view.bookings) {
            const row = rows.appendChild(element("tr", { "data-booking": booking.id }));
            for (const text of [booking.start_local, booking.end_local,
              booking.state === "pending_confirmation" ? "hold" : booking.state, booking.customer, booking.id,
              booking.expires_at_local || ""]) {
              row.appendChild(element("td", {}, text));
            }
          }
        }

        async function refreshDay() {
          if (dayChoice === null) { return; }
          try {
            showDay(await api("/api/day", dayChoice));
          } catch (error) {
            setText("day-error", error.message);
          }
        }

        function pickDay(resource, tenant, date) {
          dayChoice = { resource: resource, tenant: tenant, date: date };
          $("day-resource").value = resource;
          $("day-tenant").value = tenant;
          $("day-date").value = date;
          const shown = new URLSearchParams(dayChoice);
          for (const [name, value] of [...shown]) { if (!value) { shown.delete(name); } }
          try { history.replaceState(null, "", "?" + shown.toString()); } catch (error) { /* only the address */ }
          return refreshDay();
        }

        $("day-form").addEventListener("submit", (event) => {
          event.preventDefault();
          pickDay($("day-resource").value.trim(), $("day-tenant").value.trim(), $("day-date").value);
        });

        async function start() {
          const overview = await refreshOverview();
          if (query.get("resource")) {
            await pickDay(query.get("resource"), query.get("tenant") || "", query.get("date") || "");
          } else if (overview && overview.busiest.length > 0) {
            const busiest = overview.busiest[0];
            await pickDay(busiest.resource, busiest.tenant || "", "");
          }
          setInterval(() => { refreshOverview(); refreshDay(); }, REFRESH_MS);
        }
        start();
        """#
}
