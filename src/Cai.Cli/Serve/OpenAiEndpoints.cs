using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cai.Cli.Serve;

/// <summary>
/// The routes of `cai serve`: /v1/models, /v1/chat/completions, /v1/completions, /health and /metrics, behind one
/// middleware that checks the API key on /v1 (when the server has one), turns <see cref="ApiException"/> into
/// OpenAI's error JSON and counts every answer by endpoint and status (499: the client went away first).
/// </summary>
public static class OpenAiEndpoints
{
    public static void Map(WebApplication app, ServedModel model, Scheduler scheduler, ServerMetrics metrics, string? apiKey)
    {
        var responder = new GenerationResponder(model, scheduler, metrics);
        var key = apiKey is null ? null : Encoding.UTF8.GetBytes(apiKey);
        app.UseRouting();
        app.Use(async (context, next) =>
        {
            try
            {
                if (key is not null && context.Request.Path.StartsWithSegments("/v1")) Authorize(context, key);
                await next(context);
            }
            catch (ApiException e) when (!context.Response.HasStarted)
            {
                await WriteErrorAsync(context, e);
            }
            catch (BadHttpRequestException e) when (!context.Response.HasStarted)
            {
                await WriteErrorAsync(context, new ApiException(e.StatusCode, e.Message, "invalid_request_error"));
            }
            finally
            {
                // The route's pattern; "other" for the fallback (unknown URLs), so the label set stays small.
                string endpoint = context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } pattern, Order: < int.MaxValue }
                    ? pattern
                    : "other";
                metrics.Request(endpoint, context.RequestAborted.IsCancellationRequested ? 499 : context.Response.StatusCode);
            }
        });

        app.MapGet("/health", () => scheduler.IsRunning
            ? Results.Json(new { status = "ok" })
            : Results.Json(new { status = "stopping" }, statusCode: 503));
        app.MapGet("/metrics", () => Results.Text(metrics.Render(), "text/plain; version=0.0.4; charset=utf-8"));
        app.MapGet("/v1/models", () => Results.Json(new ModelList([Card(model)]), OpenAiJson.Options));
        app.MapGet("/v1/models/{id}", (string id) => id == model.Name
            ? Results.Json(Card(model), OpenAiJson.Options)
            : throw ApiException.UnknownModel(id, model.Name));
        app.MapPost("/v1/chat/completions", responder.ChatAsync);
        app.MapPost("/v1/completions", responder.CompletionsAsync);
        app.MapFallback((HttpContext context) =>
        {
            throw new ApiException(404, $"Unknown request URL: {context.Request.Method} {context.Request.Path}.", "invalid_request_error",
                null, "unknown_url");
        });
    }

    private static ModelCard Card(ServedModel model) => new(model.Name, model.Created, "cai", model.MaxModelLength);

    /// <summary>Accepts "Authorization: Bearer KEY" with the server's key (compared in constant time); else 401.</summary>
    private static void Authorize(HttpContext context, byte[] key)
    {
        string header = context.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) throw ApiException.Unauthorized(given: false);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[scheme.Length..].Trim()), key))
            throw ApiException.Unauthorized(given: true);
    }

    private static async Task WriteErrorAsync(HttpContext context, ApiException e)
    {
        context.Response.Clear();
        context.Response.StatusCode = e.Status;
        if (e.RetryAfterSeconds is int seconds)
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (e.Status == 401) context.Response.Headers.WWWAuthenticate = "Bearer";
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, e.ToResponse(), OpenAiJson.Options);
    }
}
