namespace Cai.Cli.Serve;

/// <summary>
/// A request that fails as the OpenAI API fails: an HTTP status and the body
/// <c>{"error": {"message", "type", "param", "code"}}</c>; 503 also carries Retry-After.
/// </summary>
public sealed class ApiException(int status, string message, string type, string? param = null, string? code = null) : Exception(message)
{
    /// <summary>The HTTP status code.</summary>
    public int Status { get; } = status;

    /// <summary>OpenAI's error type: invalid_request_error, authentication_error, server_error.</summary>
    public string Type { get; } = type;

    /// <summary>The request field at fault (e.g. "temperature", "messages[1].role"), or null.</summary>
    public string? Param { get; } = param;

    /// <summary>A machine-readable code (e.g. "model_not_found", "context_length_exceeded"), or null.</summary>
    public string? Code { get; } = code;

    /// <summary>Seconds a client should wait before retrying (503 only).</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>400: a parameter is missing, of the wrong type or out of its range.</summary>
    public static ApiException BadParameter(string? param, string message, string? code = null) =>
        new(400, message, "invalid_request_error", param, code ?? (param is null ? null : "invalid_value"));

    /// <summary>400: the body is not JSON.</summary>
    public static ApiException MalformedJson(string detail) =>
        new(400, $"We could not parse the JSON body of your request ({detail}).", "invalid_request_error", null, "invalid_json");

    /// <summary>404: the request names a model this server does not serve.</summary>
    public static ApiException UnknownModel(string model, string served) =>
        new(404, $"The model '{model}' does not exist; this server serves '{served}'.", "invalid_request_error", "model",
            "model_not_found");

    /// <summary>401: no API key, or the wrong one.</summary>
    public static ApiException Unauthorized(bool given) =>
        new(401, given ? "Incorrect API key provided." : "You didn't provide an API key: send it as 'Authorization: Bearer KEY'.",
            "invalid_request_error", null, "invalid_api_key");

    /// <summary>503: the queue of sequences waiting for a batch row is full.</summary>
    public static ApiException QueueFull(int waiting, int limit) =>
        new(503, $"The server is busy: {waiting} sequences are waiting for a row and the queue holds {limit} (--max-queue). Retry later.",
            "server_error", null, "queue_full") { RetryAfterSeconds = 1 };

    /// <summary>503: the server is stopping.</summary>
    public static ApiException ShuttingDown() =>
        new(503, "The server is shutting down.", "server_error", null, "shutting_down") { RetryAfterSeconds = 5 };

    /// <summary>500: generation failed (for example non-finite logits).</summary>
    public static ApiException GenerationFailed(string message) => new(500, message, "server_error", null, "generation_failed");

    /// <summary>The JSON body.</summary>
    public ErrorResponse ToResponse() => new(new ErrorDetail(Message, Type, Param, Code));
}

/// <summary>OpenAI's error body.</summary>
public sealed record ErrorResponse(ErrorDetail Error);

/// <summary>What went wrong.</summary>
public sealed record ErrorDetail(string Message, string Type, string? Param, string? Code);
