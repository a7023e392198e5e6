import Foundation
import SlotClient
import SlotServer
import SlotTesting
import Testing

/// Who may read the operator page and its API when authentication is required: an operator or admin token, sent
/// as a bearer token or as the password of HTTP Basic authentication; a tenant's operator sees only its tenant.
@Suite struct OperatorPageAccessTests {
    @Test func thePageAsksABrowserForBasicCredentials() async throws {
        try await AuthFixture.run { fixture in
            let httpPort = try #require(fixture.server.httpPort)
            let reader = try await fixture.token("viewer", role: "reader")
            let operatorSecret = try await fixture.token("night-shift", role: "operator")
            for path in ["/", "/api/overview", "/api/day?resource=x"] {
                let anonymous = try await PageProbe.get(port: httpPort, path)
                #expect(anonymous.status == 401, "\(path)")
                #expect(anonymous.challenge == #"Basic realm="slotd""#, "\(path)")
                #expect(try anonymous.json()["error"] == "unauthenticated", "\(path)")
                let unknown = "slotd_" + String(repeating: "A", count: 43)
                #expect(
                    try await PageProbe.get(port: httpPort, path, authorization: PageProbe.basic(unknown)).status == 401
                )
                let forbidden = try await PageProbe.get(port: httpPort, path, authorization: PageProbe.basic(reader))
                #expect(forbidden.status == 403, "\(path)")
                #expect(try forbidden.json()["error"] == "forbidden", "\(path)")
            }
            let page = try await PageProbe.get(port: httpPort, "/", authorization: PageProbe.basic(operatorSecret))
            #expect(page.status == 200)
            #expect(page.contentType == "text/html; charset=utf-8")
            #expect(page.body.contains(#"<svg id="chart-rate""#))
            // Any user name, or none; and a bearer token works as well as Basic.
            let admin = PageProbe.basic(fixture.adminSecret, user: "")
            #expect(try await PageProbe.get(port: httpPort, "/api/overview", authorization: admin).status == 200)
            let bearer = "Bearer " + operatorSecret
            #expect(try await PageProbe.get(port: httpPort, "/api/overview", authorization: bearer).status == 200)
            // `/metrics` keeps asking scrapers for a bearer token, and takes the page's credentials too.
            #expect(try await PageProbe.get(port: httpPort, "/metrics").challenge == #"Bearer realm="slotd""#)
            let basicMetrics = PageProbe.basic(operatorSecret)
            #expect(try await PageProbe.get(port: httpPort, "/metrics", authorization: basicMetrics).status == 200)
        }
    }

    @Test func aTenantsOperatorSeesOnlyItsTenant() async throws {
        try await AuthFixture.run { fixture in
            let httpPort = try #require(fixture.server.httpPort)
            let acme = try await fixture.token("acme-ops", role: "operator", extra: ["tenant": "acme"])
            try await fixture.connect(as: acme) { client async throws in
                #expect(try await client.call(Requests.createResource("desk")).ok)
                let booked = Requests.hold("desk", "2027-01-05T10:00:00Z", "2027-01-05T10:30:00Z", op: "book")
                #expect(try await client.call(booked).ok)
            }
            try await fixture.connect { admin async throws in
                #expect(try await admin.call(Requests.createResource("hall")).ok)
                for hour in 1...2 {
                    let booked = Requests.hold(
                        "hall", "2027-01-05T1\(hour):00:00Z", "2027-01-05T1\(hour):30:00Z", op: "book")
                    #expect(try await admin.call(booked).ok)
                }
            }
            let asAcme = PageProbe.basic(acme)
            let overview = try await PageProbe.get(port: httpPort, "/api/overview", authorization: asAcme).json()
            #expect(overview["tenant"] == "acme")
            #expect(overview["stats"]?["resources"] == 1)
            #expect(overview["busiest"]?.array?.map { $0["resource"]?.string } == ["desk"])
            #expect(overview["busiest"]?[0]?["tenant"] == "acme")
            let day = try await PageProbe.get(
                port: httpPort, "/api/day?resource=desk&date=2027-01-05", authorization: asAcme)
            #expect(day.status == 200, "\(day.body)")
            #expect(try day.json()["tenant"] == "acme")
            #expect(try day.json()["bookings"]?.array?.count == 1)
            // Another tenant's resource, or the resources in no tenant, are not there for it.
            #expect(
                try await PageProbe.get(port: httpPort, "/api/day?resource=hall", authorization: asAcme).status == 404)
            let elsewhere = try await PageProbe.get(
                port: httpPort, "/api/day?resource=desk&tenant=globex", authorization: asAcme)
            #expect(elsewhere.status == 403)
            #expect(
                try await PageProbe.get(port: httpPort, "/api/overview?tenant=globex", authorization: asAcme).status
                    == 403)

            // An admin without a tenant sees every tenant, and names one to read its resources.
            let asAdmin = PageProbe.basic(fixture.adminSecret)
            let whole = try await PageProbe.get(port: httpPort, "/api/overview", authorization: asAdmin).json()
            #expect(whole["stats"]?["resources"] == 2)
            #expect(whole["busiest"]?.array?.map { $0["resource"]?.string } == ["hall", "desk"])
            let acmeDesk = "/api/day?resource=desk&tenant=acme&date=2027-01-05"
            #expect(try await PageProbe.get(port: httpPort, acmeDesk, authorization: asAdmin).status == 200)
        }
    }
}
