import SlotDomain

/// Everything a snapshot holds, in memory terms.
///
/// `journalSequence` is the journal position read before any resource was captured: every entry up to it is in
/// the image. Resources are captured one by one while the server keeps serving, so an image may also hold some
/// later entries; `capturedJournalSequence` says, per resource, up to where. Replay after `journalSequence`
/// skips a resource's entries up to its `capturedJournalSequence`, and every token entry up to
/// `tokensJournalSequence`.
public struct SnapshotImage: Sendable, Equatable {
    public var journalID: String
    public var journalSequence: UInt64
    public var createdAt: Instant
    public var resources: [ResourceImage]
    public var idempotency: [IdempotencyTable.Record]
    /// Every token, revoked ones too (format 7; older files have none).
    public var tokens: TokenTable
    /// The journal position the token table was captured at (under the registry's lock, so every token entry up
    /// to here is in `tokens` and none after): at least `journalSequence`.
    public var tokensJournalSequence: UInt64

    /// `tokensJournalSequence` defaults to `journalSequence`: right for a table captured with the header.
    public init(
        journalID: String, journalSequence: UInt64, createdAt: Instant, resources: [ResourceImage],
        idempotency: [IdempotencyTable.Record], tokens: TokenTable = TokenTable(), tokensJournalSequence: UInt64? = nil
    ) {
        self.journalID = journalID
        self.journalSequence = journalSequence
        self.createdAt = createdAt
        self.resources = resources
        self.idempotency = idempotency
        self.tokens = tokens
        self.tokensJournalSequence = tokensJournalSequence ?? journalSequence
    }

    /// The last journal entry any part of the image includes.
    public var reach: UInt64 {
        resources.reduce(max(journalSequence, tokensJournalSequence)) { max($0, $1.capturedJournalSequence) }
    }

    public var bookingCount: Int { resources.reduce(0) { $0 + $1.bookings.count } }
}

public struct ResourceImage: Sendable, Equatable {
    public var settings: ResourceSettings
    /// The schedule's clock (it never runs backwards, across restarts too).
    public var clock: Instant
    public var lastBookingSequence: UInt64
    public var createdJournalSequence: UInt64
    public var capturedJournalSequence: UInt64
    public var bookings: [Booking]
    /// Availability layers (format 2; a format 1 file has none).
    public var rules: AvailabilityRules
    /// Every waitlist entry and the last number given out (format 3; older files have none).
    public var waitlist: [WaitlistEntry]
    public var lastWaitlistNumber: UInt64
    /// The group of each booking here that belongs to one, by booking number (format 6; older files have none).
    public var groups: [UInt64: GroupMembership]
    /// The schedule's `remindedThrough` (format 8; nil in older files, whose resources have no reminders).
    public var remindedThrough: Instant?
    /// The `external_busy` layer (format 9; nil in older files, and for a resource without a pulling link).
    public var externalBusy: ExternalBusy?

    public init(
        settings: ResourceSettings, clock: Instant, lastBookingSequence: UInt64, createdJournalSequence: UInt64,
        capturedJournalSequence: UInt64, bookings: [Booking], rules: AvailabilityRules = AvailabilityRules(),
        waitlist: [WaitlistEntry] = [], lastWaitlistNumber: UInt64 = 0, groups: [UInt64: GroupMembership] = [:],
        remindedThrough: Instant? = nil, externalBusy: ExternalBusy? = nil
    ) {
        self.externalBusy = externalBusy
        self.groups = groups
        self.remindedThrough = remindedThrough
        self.rules = rules
        self.waitlist = waitlist
        self.lastWaitlistNumber = lastWaitlistNumber
        self.settings = settings
        self.clock = clock
        self.lastBookingSequence = lastBookingSequence
        self.createdJournalSequence = createdJournalSequence
        self.capturedJournalSequence = capturedJournalSequence
        self.bookings = bookings
    }
}
