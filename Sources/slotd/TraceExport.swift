import Foundation
import Logging
import OTel
import ServiceLifecycle
import Tracing

/// `--otlp-endpoint`: swift-otel's tracer, exporting spans over OTLP/HTTP with protobuf bodies (what collectors
/// take by default on port 4318), and nothing else: slotd's logs stay its JSON lines on stderr and its metrics
/// stay on `/metrics`.
enum TraceExport {
    /// Bootstraps the process's tracer and returns the service that exports its spans: run it in the service
    /// group, where a graceful shutdown flushes the spans still queued. The standard `OTEL_*` variables
    /// (`OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_TRACES_SAMPLER`, `OTEL_BSP_SCHEDULE_DELAY`, …) still apply on top.
    static func bootstrap(endpoint: String, logger: Logger) throws -> any Service {
        guard let url = tracesURL(endpoint) else { preconditionFailure("--otlp-endpoint is checked by validate()") }
        var configuration = OTel.Configuration.default
        configuration.serviceName = "slotd"
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.otlpExporter.endpoint = url
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        // swift-otel's own complaints (an export refused, the collector unreachable) as slotd's JSON log lines.
        var diagnostics = logger
        diagnostics[metadataKey: "library"] = "swift-otel"
        configuration.diagnosticLogger = .custom(diagnostics)
        configuration.diagnosticLogLevel = .warning
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(backend.factory)
        return backend.service
    }

    /// Where spans go: `<endpoint>/v1/traces`, the OTLP/HTTP path for traces, unless the URL already ends in it.
    /// Nil for anything but an http or https URL with a host.
    static func tracesURL(_ endpoint: String) -> String? {
        guard let url = URL(string: endpoint), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https",
            url.host?.isEmpty == false
        else { return nil }
        if url.path.hasSuffix("/v1/traces") { return endpoint }
        return endpoint.hasSuffix("/") ? endpoint + "v1/traces" : endpoint + "/v1/traces"
    }
}
