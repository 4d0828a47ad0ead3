using Cai.Abstractions.Input;
using System.CommandLine;
using Cai.Cli.Run;
using Cai.Core.Pipeline;
using Cai.Core.Plugins;
using Cai.Core.Recipes;
using Cai.Core.Reports;
using Cai.Core.Runs;
using Cai.Core.Stages;
using Spectre.Console;

namespace Cai.Cli.Commands;

/// <summary>`cai run RECIPE`: runs (or with --resume, continues) a recipe's stages and writes the report.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var recipe = new Argument<FileInfo>("recipe") { Description = "The recipe file (YAML)." };
        var resume = new Option<bool>("--resume") { Description = "Continue the latest run of this recipe: skip finished stages, resume the interrupted one." };
        var runs = new Option<DirectoryInfo>("--runs") { Description = "Folder of runs (runs/<recipe>/<run-id>/).", DefaultValueFactory = _ => new DirectoryInfo("runs") };
        var quiet = new Option<bool>("--quiet") { Description = "No progress display; errors only." };
        var jsonLog = new Option<bool>("--json-log") { Description = "One JSON object per event on standard output, for scripts." };
        var trust = ValidateCommand.TrustOption();
        var command = new Command("run", "Run a recipe: SL-CAI and RL-CAI stages, artifacts under runs/, a report at the end.")
            { recipe, resume, runs, quiet, jsonLog, trust };
        command.SetAction((parse, token) => RunAsync(parse.GetValue(recipe)!, parse.GetValue(resume), parse.GetValue(runs)!,
            parse.GetValue(quiet), parse.GetValue(jsonLog), parse.GetValue(trust), token));
        return command;
    }

    static async Task<int> RunAsync(FileInfo recipeFile, bool resume, DirectoryInfo runsRoot, bool quiet, bool jsonLog, bool trustPlugins,
        CancellationToken cancellationToken)
    {
        if (File.Exists(runsRoot.FullName)) throw InputException.ForOption("--runs", $"{runsRoot} is a file; expected a folder of runs");
        using var host = PluginHost.WithBuiltIns();
        var stages = CaiCommandLine.Stages();
        var recipe = RecipeResolver.Resolve(recipeFile.ToString(), host, stages, trustPlugins);
        var factory = ModelFactory.For(recipe.Recipe); // the device, resolved once, before any stage
        var run = (resume ? RunLayout.Latest(runsRoot.FullName, recipe.Recipe.Name) : null)
                  ?? RunLayout.CreateNew(runsRoot.FullName, recipe.Recipe.Name, DateTimeOffset.UtcNow);
        var runner = new PipelineRunner(recipe, host, factory);
        var logger = new ConsoleStageLogger(quiet || jsonLog);
        try
        {
            if (jsonLog) await runner.RunAsync(run, new JsonLogObserver(Console.Out), logger, cancellationToken);
            else if (quiet) await runner.RunAsync(run, NullRunObserver.Instance, logger, cancellationToken);
            else
            {
                var observer = new SpectreRunObserver();
                await AnsiConsole.Progress().AutoClear(false).HideCompleted(false)
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                    .StartAsync(async progress =>
                    {
                        observer.Attach(progress);
                        await runner.RunAsync(run, observer, logger, cancellationToken);
                    });
            }
        }
        catch (OperationCanceledException)
        {
            AnsiConsole.MarkupLine($"[yellow]stopped[/]: continue with [bold]cai run {Markup.Escape(recipeFile.ToString())} --resume[/] ({Markup.Escape(run.Root)})");
            return 130;
        }
        catch (Exception e)
        {
            e.Data[ErrorReport.HintKey] = $"finished stages are kept; after a fix, continue with --resume ({run.Root})";
            throw;
        }
        string report = WriteReport(recipe, run, host, factory, stages);
        if (!quiet && !jsonLog) AnsiConsole.MarkupLine($"[green]done[/]: report at [bold]{Markup.Escape(report)}[/]");
        return 0;
    }

    /// <summary>The report, with the recipe's evaluator: an evaluator plugin on the run's last models, or the embedded one.</summary>
    static string WriteReport(ResolvedRecipe recipe, RunLayout run, PluginHost host, ModelFactory factory, StageRegistry stages)
    {
        using var models = ModelRegistry.For(recipe, factory);
        foreach (var stage in recipe.Stages.Where(s => run.Stage(s.Id).IsDone))
            foreach (var (role, checkpoint) in StageMarker.Read(run.Stage(stage.Id)).Outcome.ModelUpdates) models.Replace(role, checkpoint);
        var evaluator = EvaluateStage.OfRecipe(recipe, host, models, stages.Evaluator,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        try { return RunReport.Write(recipe, run, evaluator); }
        finally { (evaluator as IDisposable)?.Dispose(); }
    }
}
