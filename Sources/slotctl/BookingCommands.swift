import ArgumentParser
import SlotClient
import SlotWire

/// `slotctl resources`: every resource, all pages of `list_resources`.
struct ResourcesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resources", abstract: "List every resource with its settings.")

    @OptionGroup var server: ServerOptions
    @OptionGroup var output: OutputOptions

    @Option(help: "Resources asked for per request (1-10000).")
    var pageSize = 1_000

    func validate() throws {
        guard (1...10_000).contains(pageSize) else { throw ValidationError("--page-size must be between 1 and 10000") }
    }

    func run() async throws {
        let limit = pageSize
        let resources = try await ServerSession.run(server) { session in
            try await session.collectPages(
                ["op": "list_resources", "limit": .number(Double(limit))], items: "resources")
        }
        emit(output.json ? JSONValue.object(["resources": .array(resources)]).jsonText : Self.render(resources))
    }

    static func render(_ resources: [JSONValue]) -> String {
        var table = TextTable([
            .init("ID"), .init("TIME ZONE"), .init("SLOT", .right), .init("CAPACITY", .right),
            .init("BUFFER BEFORE", .right), .init("BUFFER AFTER", .right), .init("HOLD TTL", .right),
            .init("HORIZON", .right),
        ])
        for resource in resources {
            table.append([
                resource["id"]?.string ?? "-", resource["tz"]?.string ?? "-", amount(resource["slot_minutes"], "min"),
                count(resource["capacity"]), amount(resource["buffer_before_minutes"], "min"),
                amount(resource["buffer_after_minutes"], "min"), amount(resource["hold_ttl_seconds"], "s"),
                amount(resource["horizon_days"], "d"),
            ])
        }
        return table.render() + "\n\(Amounts.grouped(resources.count)) resource\(resources.count == 1 ? "" : "s")"
    }

    private static func amount(_ value: JSONValue?, _ unit: String) -> String {
        value?.int.map { "\(Amounts.grouped($0)) \(unit)" } ?? "-"
    }
}

/// `slotctl bookings RESOURCE`: a resource's active bookings in a time range, in the resource's time zone.
struct BookingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bookings",
        abstract: "List a resource's active bookings (pending, confirmed, rescheduled) overlapping a time range.",
        discussion: "Times are shown in the resource's own time zone. The server allows at most 92 days per query.")

    @Argument(help: "The resource id.")
    var resource: ResourceArgument

    @Option(help: "Start of the range, RFC 3339 (e.g. 2027-01-11T00:00:00+01:00). Default: now.")
    var from: InstantArgument?

    @Option(help: "End of the range, RFC 3339. Default: 7 days after --from.")
    var to: InstantArgument?

    @Option(help: "Bookings asked for per request (1-10000).")
    var pageSize = 1_000

    @OptionGroup var server: ServerOptions
    @OptionGroup var output: OutputOptions

    static let defaultSpanSeconds: Int64 = 7 * 86_400

    func validate() throws {
        guard (1...10_000).contains(pageSize) else { throw ValidationError("--page-size must be between 1 and 10000") }
        let start = from?.instant ?? ZoneDisplay.now()
        if let end = to?.instant, end <= start { throw ValidationError("--to must be after --from (default: now)") }
    }

    func run() async throws {
        let start = from?.instant ?? ZoneDisplay.now()
        let end = to?.instant ?? start.adding(seconds: Self.defaultSpanSeconds)
        let request: JSONValue = [
            "op": "list_bookings", "resource": .string(resource.id.rawValue), "from": .string(RFC3339.format(start)),
            "to": .string(RFC3339.format(end)), "limit": .number(Double(pageSize)),
        ]
        let id = resource.id.rawValue
        let (settings, bookings) = try await ServerSession.run(server) { session in
            let settings = try await session.call(["op": "get_resource", "resource": .string(id)])["resource"]
            return (settings ?? .null, try await session.collectPages(request, items: "bookings"))
        }
        if output.json {
            let object: JSONValue = [
                "resource": settings, "from": request["from"] ?? .null, "to": request["to"] ?? .null,
                "bookings": .array(bookings),
            ]
            emit(object.jsonText)
            return
        }
        let zone = ZoneDisplay(zoneName: settings["tz"]?.string ?? "UTC")
        var table = TextTable([.init("ID"), .init("START"), .init("END"), .init("CUSTOMER"), .init("STATE")])
        for booking in bookings {
            table.append([
                booking["id"]?.string ?? "-", zone.minutes(booking["start"]?.string),
                zone.minutes(booking["end"]?.string), booking["customer"]?.string ?? "-",
                booking["state"]?.string ?? "-",
            ])
        }
        emit(
            """
            Bookings of \(id) from \(zone.minutes(start)) to \(zone.minutes(end)), times in \(zone.heading):
            \(table.render())
            \(Amounts.grouped(bookings.count)) active booking\(bookings.count == 1 ? "" : "s")
            """)
    }
}

/// `slotctl booking ID`: one booking and its history, times in the resource's time zone.
struct BookingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "booking", abstract: "Show one booking and its history, in the resource's time zone.")

    @Argument(help: "The booking id, resource/sequence (e.g. dr-smith/17).")
    var booking: BookingArgument

    @OptionGroup var server: ServerOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let id = booking.id
        let (found, settings) = try await ServerSession.run(server) { session in
            let found = try await session.call(["op": "get_booking", "booking": .string(id.description)])
            let settings = try await session.call(["op": "get_resource", "resource": .string(id.resource.rawValue)])
            return (found["booking"] ?? .null, settings["resource"] ?? .null)
        }
        if output.json {
            emit(JSONValue.object(["booking": found, "resource": settings]).jsonText)
            return
        }
        emit(Self.render(found, zone: ZoneDisplay(zoneName: settings["tz"]?.string ?? "UTC")))
    }

    static func render(_ booking: JSONValue, zone: ZoneDisplay) -> String {
        var fields = FieldList()
        fields.add("booking", booking["id"]?.string ?? "-")
        fields.add("resource", booking["resource"]?.string ?? "-")
        fields.add("time zone", zone.heading)
        fields.add("start", zone.minutes(booking["start"]?.string))
        fields.add("end", zone.minutes(booking["end"]?.string))
        fields.add("customer", booking["customer"]?.string ?? "-")
        fields.add("state", booking["state"]?.string ?? "-")
        if let group = booking["group"]?.string { fields.add("group", group) }
        if let series = booking["series"]?.string { fields.add("series", series) }
        if let expiresAt = booking["expires_at"]?.string { fields.add("expires at", zone.seconds(expiresAt)) }
        var table = TextTable([.init("FROM"), .init("TO"), .init("ACTOR"), .init("AT"), .init("DETAILS")])
        for transition in booking["history"]?.array ?? [] {
            var details: [String] = []
            if let start = transition["previous_start"]?.string {
                details.append(
                    "moved from \(zone.minutes(start)) - \(zone.minutes(transition["previous_end"]?.string))")
            }
            if let reason = transition["reason"]?.string { details.append("reason: \(reason)") }
            table.append([
                transition["from"]?.string ?? "-", transition["to"]?.string ?? "-",
                transition["actor"]?.string ?? "-", zone.seconds(transition["at"]?.string),
                details.joined(separator: "; "),
            ])
        }
        return fields.render() + "\n\nHistory, oldest first:\n" + table.render()
    }
}
