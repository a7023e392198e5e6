import ArgumentParser
import Foundation
import Logging
import SlotClient
import SlotDomain
import SlotJournal
import SlotServer
import SlotWire

/// `slotctl token create`, `slotctl token list`: tokens of a stopped server's data folder (decision 0021).
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Create or list tokens in a stopped server's data folder.",
        subcommands: [CreateTokenCommand.self, ListTokensCommand.self])
}

/// Where a stopped server keeps its state: the same folders and defaults as slotd's.
struct DataFolderOptions: ParsableArguments {
    @Option(help: "slotd's data folder (the one holding journal.sqlite).")
    var dataDir = "./data"

    @Option(help: "slotd's snapshot folder.")
    var snapshotDir = "./snapshots"

    /// Opens the folder the way slotd starts: the folder's lock, then the newest usable snapshot and the journal.
    func open() throws -> OfflineDataFolder {
        var logger = Logger(label: "slotctl") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        let data = URL(fileURLWithPath: dataDir)
        do {
            return try withProgress("recovering \(data.path) (snapshot, then journal replay)") { _ in
                try OfflineDataFolder(
                    dataDirectory: data, snapshotDirectory: URL(fileURLWithPath: snapshotDir), logger: logger)
            }
        } catch JournalError.locked {
            throw SlotctlFailure.refusedOffline(
                "\(data.path) is in use by a running slotd (it holds the folder's lock). Create the token through "
                    + "that server with the create_token op instead (it needs an admin token), or stop slotd first.")
        } catch let error as JournalError {
            switch error {
            case .corruptRecord: throw SlotctlFailure.damaged("cannot recover \(data.path): \(error)")
            case .needsSnapshot:
                throw SlotctlFailure.unreadable(
                    "cannot recover \(data.path): \(error) in \(snapshotDir) (is --snapshot-dir the one slotd uses?)")
            default: throw SlotctlFailure.unreadable("cannot open \(data.path): \(error)")
            }
        } catch {
            throw SlotctlFailure.damaged("cannot recover \(data.path): \(error)")
        }
    }
}

struct CreateTokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a token in a stopped server's data folder and print its secret once.",
        discussion: """
            For the first admin token of a server that requires authentication. Refused while slotd runs on the \
            folder: use the create_token op then. The secret is printed once and never stored; the journal keeps \
            only its SHA-256.
            """)

    @OptionGroup var folder: DataFolderOptions

    @Option(help: "The token's role: admin, operator, client or reader.")
    var role: String

    @Option(help: "The token's name (1 to 64 of A-Z a-z 0-9 . _ -), unique among all tokens ever created.")
    var name: String

    @Option(help: "The tenant the token is confined to.") var tenant: String?
    @Option(help: "The only customer whose bookings a client token sees.") var customer: String?
    @Option(help: "When the token stops working (RFC 3339, e.g. 2027-01-01T00:00:00Z).") var expiresAt: String?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard Role(rawValue: role) != nil else {
            throw ValidationError("--role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard TokenRecord.isValidName(name) else {
            throw ValidationError("--name must be 1 to 64 characters from A-Z a-z 0-9 . _ -")
        }
        if let tenant, TenantID(tenant) == nil {
            throw ValidationError("--tenant must be 1 to 64 characters from A-Z a-z 0-9 . _ -")
        }
        if let customer, customer.isEmpty || customer.utf8.count > DomainLimits.standard.customerMaxBytes {
            throw ValidationError("--customer must be 1 to \(DomainLimits.standard.customerMaxBytes) bytes")
        }
        if let expiresAt, RFC3339.parse(expiresAt) == nil {
            throw ValidationError("--expires-at must be an RFC 3339 time such as 2027-01-01T00:00:00Z")
        }
    }

    func run() throws {
        let now = SystemClock().now()
        let expiry = expiresAt.flatMap(RFC3339.parse)?.instant
        if let expiry, expiry <= now {
            throw ValidationError("--expires-at \(expiresAt ?? "") has passed: the token could never be used")
        }
        let data = try folder.open()
        defer { data.close() }
        let created: Result<(token: TokenRecord, secret: String), Rejection>
        do {
            created = try data.createToken(
                name: name, role: Role(rawValue: role)!, tenant: tenant.flatMap(TenantID.init), customer: customer,
                expiresAt: expiry, now: now)
        } catch {
            throw SlotctlFailure.unreadable("cannot write the journal in \(folder.dataDir): \(error)")
        }
        switch created {
        case .failure(let rejection):
            throw SlotctlFailure.refusedOffline("\(rejection.code.rawValue): \(rejection.message)")
        case .success(let (token, secret)):
            if output.json {
                emit(JSONValue.object(["token": Self.json(token), "secret": .string(secret)]).jsonText)
            } else {
                emit(
                    "Created token \(token.id) (\(token.name), \(token.role.rawValue)). Its secret:\n\(secret)\n"
                        + "This secret is shown only once and cannot be recovered: the server keeps only its "
                        + "SHA-256. Store it now.")
            }
        }
    }

    /// A token as `list_tokens` shows one; never its hash.
    static func json(_ token: TokenRecord) -> JSONValue {
        func instant(_ value: Instant?) -> JSONValue { value.map { .string(RFC3339.format($0)) } ?? .null }
        return [
            "id": .string(token.id.description), "name": .string(token.name), "role": .string(token.role.rawValue),
            "tenant": token.tenant.map { .string($0.rawValue) } ?? .null,
            "customer": token.customer.map(JSONValue.string) ?? .null,
            "created_at": instant(token.createdAt), "expires_at": instant(token.expiresAt),
            "revoked_at": instant(token.revokedAt),
        ]
    }
}

struct ListTokensCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the tokens of a stopped server's data folder (never their secrets).")

    @OptionGroup var folder: DataFolderOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let data = try folder.open()
        let tokens = data.tokenTable.byID.values.sorted { $0.id < $1.id }
        data.close()
        if output.json {
            emit(JSONValue.object(["tokens": .array(tokens.map(CreateTokenCommand.json))]).jsonText)
            return
        }
        var table = TextTable([
            .init("ID"), .init("NAME"), .init("ROLE"), .init("TENANT"), .init("CUSTOMER"), .init("EXPIRES"),
            .init("REVOKED"),
        ])
        for token in tokens {
            table.append([
                token.id.description, token.name, token.role.rawValue, token.tenant?.rawValue ?? "-",
                token.customer ?? "-", token.expiresAt.map(RFC3339.format) ?? "-",
                token.revokedAt.map(RFC3339.format) ?? "-",
            ])
        }
        emit(tokens.isEmpty ? "no tokens" : table.render())
    }
}
