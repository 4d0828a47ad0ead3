using System.Security;
using System.Text.Json;

namespace Cai.Cli.Commands;

/// <summary>The files of a new plugin project, one template per kind.</summary>
public static class NewPluginTemplates
{
    public static readonly string[] Kinds = ["judge", "critic", "reviser", "trainer", "evaluator"];

    /// <summary>File name to contents. The project references Cai.Abstractions beside the tool, without copying it.</summary>
    public static IReadOnlyDictionary<string, string> Render(string kind, string name, string toolDirectory)
    {
        string pluginName = JsonNamingPolicy.KebabCaseLower.ConvertName(name);
        string body = kind switch
        {
            "judge" => Judge,
            "critic" => Critic,
            "reviser" => Reviser,
            "trainer" => Trainer,
            "evaluator" => Evaluator,
            _ => throw new ArgumentException($"unknown kind '{kind}'", nameof(kind)),
        };
        string source = Header.Replace("$USINGS$", kind switch
        {
            "trainer" => "using Cai.Abstractions.Training;",
            "evaluator" => "using Cai.Abstractions.Evaluation;",
            _ => "using Cai.Abstractions.Feedback;",
        })
            + body.Replace("$NAME$", name).Replace("$PLUGIN$", pluginName);
        return new Dictionary<string, string>
        {
            [$"{name}.csproj"] = Project.Replace("$TOOLDIR$", SecurityElement.Escape(Path.TrimEndingDirectorySeparator(toolDirectory))),
            [$"{name}.cs"] = source.Replace("$NAME$", name),
        };
    }

    const string Project = """
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <TargetFramework>net10.0</TargetFramework>
            <Nullable>enable</Nullable>
            <ImplicitUsings>enable</ImplicitUsings>
            <!-- A plugin is loaded into its own context by the cai host. -->
            <EnableDynamicLoading>true</EnableDynamicLoading>
            <!-- Where the cai tool lives; its Cai.Abstractions is the contract this plugin compiles against. -->
            <CaiToolDirectory Condition="'$(CaiToolDirectory)' == ''">$TOOLDIR$</CaiToolDirectory>
          </PropertyGroup>
          <ItemGroup>
            <!-- Shared with the host: referenced for compilation, never copied next to the plugin.
                 With a package feed, use instead:
                 <PackageReference Include="CaiFramework.Abstractions" Version="0.3.0" ExcludeAssets="runtime" PrivateAssets="all" /> -->
            <Reference Include="Cai.Abstractions" HintPath="$(CaiToolDirectory)/Cai.Abstractions.dll" Private="false" />
            <Reference Include="Microsoft.Extensions.Logging.Abstractions" HintPath="$(CaiToolDirectory)/Microsoft.Extensions.Logging.Abstractions.dll" Private="false" />
          </ItemGroup>
        </Project>

        """;

    const string Header = """
        using Cai.Abstractions.Plugins;
        $USINGS$

        namespace $NAME$;

        /// <summary>Options of the plugin, bound from the stage's with: (snake_case keys). Initialisers are the defaults.</summary>
        public sealed record $NAME$Options : PluginOptions
        {

        """;

    const string Judge = """
            /// <summary>P(A) when both responses are equally long.</summary>
            public double Tie { get; init; } = 0.5;
        }

        /// <summary>Prefers the shorter response: replace with your own judgement.</summary>
        [CaiPlugin("$PLUGIN$", Description = "Prefers the shorter response.")]
        public sealed class $NAME$(PluginContext context, $NAME$Options options) : IJudge
        {
            public Task<IReadOnlyList<Preference>> CompareAsync(IReadOnlyList<ComparisonRequest> batch, CancellationToken cancellationToken)
            {
                IReadOnlyList<Preference> result = batch
                    .Select(r => new Preference(r.ItemId, r.ResponseA.Length == r.ResponseB.Length ? options.Tie
                        : r.ResponseA.Length < r.ResponseB.Length ? 1.0 : 0.0, $"seed {context.Seed}"))
                    .ToList();
                return Task.FromResult(result);
            }
        }

        """;

    const string Evaluator = """
            /// <summary>Responses longer than this many characters are labelled long.</summary>
            public int LongAt { get; init; } = 200;
        }

        /// <summary>Labels a response short or long: replace with your own labels and rules.</summary>
        [CaiPlugin("$PLUGIN$", Description = "Labels responses short or long.")]
        public sealed class $NAME$(PluginContext context, $NAME$Options options) : IEvaluator
        {
            /// <summary>The labels the report shows, in order; IsBad marks the one it follows over revision rounds.</summary>
            public IReadOnlyList<ResponseLabel> Labels { get; } =
                [new("long", "long", "length") { IsBad = true }, new("short", "short", "length")];

            public Task<IReadOnlyList<EvaluationLabel>> LabelAsync(IReadOnlyList<EvaluationRequest> batch,
                CancellationToken cancellationToken)
            {
                _ = context; // it gives models (context.GetModel("evaluator") for a model-graded one), the seed and a logger
                IReadOnlyList<EvaluationLabel> result = batch
                    .Select(r => new EvaluationLabel(r.ItemId, r.Response.Length > options.LongAt ? "long" : "short")).ToList();
                return Task.FromResult(result);
            }

            public Task<IReadOnlyList<EvaluationOrder>> CompareAsync(IReadOnlyList<EvaluationPair> batch,
                CancellationToken cancellationToken)
            {
                IReadOnlyList<EvaluationOrder> result = batch
                    .Select(p => new EvaluationOrder(p.ItemId, p.ResponseB.Length.CompareTo(p.ResponseA.Length))).ToList();
                return Task.FromResult(result);
            }
        }

        """;

    const string Critic = """
            /// <summary>Most tokens per critique.</summary>
            public int MaxNewTokens { get; init; } = 96;
        }

        /// <summary>Asks the feedback model for a critique under the principle.</summary>
        [CaiPlugin("$PLUGIN$", Description = "Critiques with the feedback model.")]
        public sealed class $NAME$(PluginContext context, $NAME$Options options) : ICritic
        {
            public async Task<IReadOnlyList<Critique>> CritiqueAsync(IReadOnlyList<CritiqueRequest> batch, CancellationToken cancellationToken)
            {
                var model = context.GetModel("feedback");
                // The conversation, the response, the critique request, and an assistant turn the model continues
                // ("Critique:"); ChatAsync renders it in the model's chat format (or sends it to a chat endpoint as
                // messages) and stops at the end of the turn.
                var dialogues = batch.Select(r => r.Conversation
                    .Append(Cai.Abstractions.Text.Role.Assistant, r.Response)
                    .Append(Cai.Abstractions.Text.Role.User, r.Principle.CritiqueRequest)
                    .Append(Cai.Abstractions.Text.Role.Assistant, "Critique:")).ToList();
                var outputs = await model.ChatAsync(dialogues,
                    new Cai.Abstractions.Text.GenerationOptions { MaxNewTokens = options.MaxNewTokens, Seed = context.Seed }, cancellationToken);
                return batch.Select((r, i) => new Critique(r.ItemId, outputs[i][0].Text.Trim())).ToList();
            }
        }

        """;

    const string Reviser = """
            /// <summary>Most tokens per revision.</summary>
            public int MaxNewTokens { get; init; } = 96;
        }

        /// <summary>Asks the policy model to rewrite the response given the critique.</summary>
        [CaiPlugin("$PLUGIN$", Description = "Revises with the policy model.")]
        public sealed class $NAME$(PluginContext context, $NAME$Options options) : IReviser
        {
            public async Task<IReadOnlyList<Revision>> ReviseAsync(IReadOnlyList<RevisionRequest> batch, CancellationToken cancellationToken)
            {
                var model = context.GetModel("policy");
                var dialogues = batch.Select(r => r.Conversation
                    .Append(Cai.Abstractions.Text.Role.Assistant, r.Response)
                    .Append(Cai.Abstractions.Text.Role.User, (r.Critique is null ? "" : $"Critique: {r.Critique}\n") + r.Principle.RevisionRequest)
                    .Append(Cai.Abstractions.Text.Role.Assistant, "Revision:")).ToList();
                var outputs = await model.ChatAsync(dialogues,
                    new Cai.Abstractions.Text.GenerationOptions { MaxNewTokens = options.MaxNewTokens, Seed = context.Seed }, cancellationToken);
                return batch.Select((r, i) => new Revision(r.ItemId, outputs[i][0].Text.Trim())).ToList();
            }
        }

        """;

    const string Trainer = """
            /// <summary>Passes over the data.</summary>
            public int Epochs { get; init; } = 1;
        }

        /// <summary>Reads the SFT rows and copies the policy checkpoint unchanged: replace the copy with your training loop.</summary>
        [CaiPlugin("$PLUGIN$", Reads = [SftRow.FileName], Description = "Copies the policy checkpoint (a template).")]
        public sealed class $NAME$(PluginContext context, $NAME$Options options) : ITrainer
        {
            public Task<TrainingResult> TrainAsync(TrainingRequest request, ITrainingContext training)
            {
                // The revisions and helpful responses of the stages before (TRL's prompt/completion columns).
                string dataset = TrainingDatasets.Find(request.Datasets, SftRow.FileName)
                    ?? throw new InvalidOperationException($"$PLUGIN$ needs {SftRow.FileName}: put a critique-revise stage before it");
                IReadOnlyList<SftRow> rows = SftRow.Read(dataset);
                // A trainer that saves as it goes keeps its saves in training.CheckpointDirectory, loads the one at
                // training.ResumeStep (or its latest) and calls training.Resuming(step) before its first metrics row.
                Directory.CreateDirectory(request.OutputCheckpoint);
                foreach (string file in Directory.GetFiles(request.PolicyCheckpoint))
                    File.Copy(file, Path.Combine(request.OutputCheckpoint, Path.GetFileName(file)), overwrite: true);
                training.Progress.Report(new TrainingProgress(options.Epochs, options.Epochs, options.Epochs, null));
                return Task.FromResult(new TrainingResult(request.OutputCheckpoint,
                    new Dictionary<string, double> { ["examples"] = rows.Count, ["seed"] = context.Seed }));
            }
        }

        """;
}
