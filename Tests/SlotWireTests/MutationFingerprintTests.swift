import SlotDomain
import Testing

@testable import SlotWire

/// The rule, series and waitlist ops take `idempotency_key`, and their fingerprints tell requests apart by every
/// field that changes what they do, and only by those.
@Suite struct MutationFingerprintTests {
    let decoder = RequestDecoder()

    func stamp(_ fields: String) -> IdempotencyStamp? {
        let line = "{" + fields + #","idempotency_key":"k"}"#
        guard case .success(let request) = decoder.decode(Array(line.utf8)) else {
            Issue.record("did not decode: \(line)")
            return nil
        }
        switch request.operation {
        case .changeRules(_, _, _, let stamp), .cancelSeries(_, _, _, _, let stamp),
            .waitlistJoin(_, _, _, _, let stamp), .waitlistLeave(_, _, let stamp):
            return stamp
        case .bookSeries(_, let command):
            return command.idempotency
        default:
            Issue.record("not a keyed op: \(line)")
            return nil
        }
    }

    /// Each group: a request, then requests that differ from it in one field that changes the effect.
    static let differing: [[String]] = [
        [
            #""op":"set_weekly_hours","resource":"r","weekly_hours":{"mon":[["09:00","17:00"]]}"#,
            #""op":"set_weekly_hours","resource":"r","weekly_hours":{"mon":[["09:00","16:00"]]}"#,
            #""op":"set_weekly_hours","resource":"r","weekly_hours":null"#,
            #""op":"set_weekly_hours","resource":"s","weekly_hours":{"mon":[["09:00","17:00"]]}"#,
            #""op":"set_weekly_hours","resource":"r","weekly_hours":{"mon":[["09:00","17:00"]]},"actor":"desk""#,
        ],
        [
            #""op":"set_override","resource":"r","date":"2027-01-05","closed":true"#,
            #""op":"set_override","resource":"r","date":"2027-01-06","closed":true"#,
            #""op":"set_override","resource":"r","date":"2027-01-05","hours":[["09:00","12:00"]]"#,
            #""op":"clear_override","resource":"r","date":"2027-01-05""#,
        ],
        [
            #""op":"add_block","resource":"r","start":"2027-01-05T10:00:00Z","end":"2027-01-05T11:00:00Z""#,
            #""op":"add_block","resource":"r","start":"2027-01-05T10:00:00Z","end":"2027-01-05T11:15:00Z""#,
            #""op":"add_block","resource":"r","start":"2027-01-05T10:00:00Z","end":"2027-01-05T11:00:00Z","label":"x""#,
            #""op":"remove_block","resource":"r","block":1"#,
            #""op":"remove_block","resource":"r","block":2"#,
        ],
        [
            #""op":"set_limits","resource":"r","min_notice_minutes":60"#,
            #""op":"set_limits","resource":"r","min_notice_minutes":60,"max_bookings_per_day":0"#,
            #""op":"set_limits","resource":"r","max_bookings_per_day":60"#,
        ],
        [
            #""op":"book_series","resource":"r","start":"2027-01-05T10:00:00Z","end":"2027-01-05T11:00:00Z","customer":"c","rule":{"freq":"daily","count":3}"#,
            #""op":"book_series","resource":"r","start":"2027-01-05T10:00:00Z","end":"2027-01-05T11:00:00Z","customer":"c","rule":{"freq":"daily","count":4}"#,
            #""op":"book_series","resource":"r","start":"2027-01-05T10:00:00Z","end":"2027-01-05T11:00:00Z","customer":"c","rule":{"freq":"daily","interval":2,"count":3}"#,
            #""op":"book_series","resource":"r","start":"2027-01-05T10:00:00Z","end":"2027-01-05T11:00:00Z","customer":"c","rule":{"freq":"weekly","count":3}"#,
            #""op":"book_series","resource":"r","start":"2027-01-05T10:00:00Z","end":"2027-01-05T11:00:00Z","customer":"c","rule":{"freq":"weekly","weekdays":["tue","thu"],"count":3}"#,
            #""op":"book_series","resource":"r","start":"2027-01-05T10:00:00Z","end":"2027-01-05T11:00:00Z","customer":"c","rule":{"freq":"daily","until":"2027-01-07"}"#,
            #""op":"book_series","resource":"r","start":"2027-01-05T10:00:00Z","end":"2027-01-05T11:00:00Z","customer":"c","rule":{"freq":"daily","count":3},"skip_conflicts":true"#,
            #""op":"book_series","resource":"r","start":"2027-01-05T10:00:00Z","end":"2027-01-05T11:00:00Z","customer":"c","rule":{"freq":"daily","count":3},"tz":"Europe/Berlin""#,
            #""op":"book_series","resource":"r","start":"2027-01-05T10:00:00Z","end":"2027-01-05T11:00:00Z","customer":"d","rule":{"freq":"daily","count":3}"#,
        ],
        [
            #""op":"cancel_series","series":"r/1""#,
            #""op":"cancel_series","series":"r/2""#,
            #""op":"cancel_series","series":"r/1","from":"2027-01-05T10:00:00Z""#,
            #""op":"cancel_series","series":"r/1","reason":"ill""#,
        ],
        [
            #""op":"waitlist_join","resource":"r","start":"2027-01-05T10:00:00Z","end":"2027-01-05T11:00:00Z","customer":"c""#,
            #""op":"waitlist_join","resource":"r","start":"2027-01-05T10:00:00Z","end":"2027-01-05T11:00:00Z","customer":"d""#,
            #""op":"waitlist_join","resource":"r","start":"2027-01-05T10:00:00Z","end":"2027-01-05T10:30:00Z","customer":"c""#,
            #""op":"waitlist_leave","entry":"r/w1""#,
            #""op":"waitlist_leave","entry":"r/w1","actor":"desk""#,
        ],
    ]

    @Test func everyFieldThatChangesTheEffectChangesTheFingerprint() {
        let fingerprints = Self.differing.flatMap { $0 }.map { stamp($0)?.fingerprint }
        #expect(!fingerprints.contains(nil))
        #expect(Set(fingerprints).count == fingerprints.count, "\(fingerprints)")
    }

    /// The same request written another way: an instant with another offset, the default actor given, `*_local`
    /// times, the request's `tz` on a waitlist join (it only changes how the reply shows times).
    @Test func theSameRequestWrittenAnotherWayHasTheSameFingerprint() {
        let pairs: [(String, String)] = [
            (
                #""op":"add_block","resource":"r","start":"2027-01-05T10:00:00Z","end":"2027-01-05T11:00:00Z""#,
                #""op":"add_block","resource":"r","start":"2027-01-05T11:00:00+01:00","end":"2027-01-05T11:00:00Z","actor":"client""#
            ),
            (
                #""op":"waitlist_join","resource":"r","start":"2027-01-05T10:00:00Z","end":"2027-01-05T11:00:00Z","customer":"c""#,
                #""op":"waitlist_join","resource":"r","tz":"Europe/Berlin","start_local":"2027-01-05T11:00","end_local":"2027-01-05T12:00","customer":"c""#
            ),
            (
                #""op":"set_limits","resource":"r","min_notice_minutes":60"#,
                #""op":"set_limits","min_notice_minutes":60,"resource":"r""#
            ),
        ]
        for (first, second) in pairs {
            #expect(stamp(first) == stamp(second), "\(first) / \(second)")
        }
    }
}
