using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Cai.Cli.Run;

/// <summary>Stage and plugin log lines on the console (warnings and errors only when quiet).</summary>
public sealed class ConsoleStageLogger(bool quiet) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= (quiet ? LogLevel.Warning : LogLevel.Information);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        string color = logLevel >= LogLevel.Error ? "red" : logLevel == LogLevel.Warning ? "yellow" : "grey";
        AnsiConsole.MarkupLine($"[{color}]{Markup.Escape(formatter(state, exception))}[/]");
    }
}
