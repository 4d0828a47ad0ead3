using System.ComponentModel.DataAnnotations;
using Cai.Abstractions.Constitution;
using Cai.Abstractions.Input;
using Cai.Core.Recipes.Yaml;

namespace Cai.Core.Constitutions;

/// <summary>A constitution file as written in YAML.</summary>
public sealed record ConstitutionFile : IValidatableObject
{
    /// <summary>Name of the constitution.</summary>
    public required string Name { get; init; }

    /// <summary>The principles.</summary>
    [MinLength(1)]
    public required IReadOnlyList<PrincipleEntry> Principles { get; init; }

    /// <summary>Worked critique–revision examples shown before the conversation.</summary>
    public IReadOnlyList<FewShotEntry> FewShot { get; init; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext context) =>
        Principles.GroupBy(p => p.Id).Where(g => g.Count() > 1)
            .Select(g => new ValidationResult($"has the principle id {InputError.Quote(g.Key)} {g.Count()} times",
                [nameof(Principles)]));

    /// <summary>Reads a constitution YAML file strictly; throws <see cref="InputException"/> listing every problem.</summary>
    public static ConstitutionDocument Load(string path)
    {
        var source = new YamlSource();
        var root = source.Load(path);
        var binder = new YamlBinder(source);
        var file = binder.Bind<ConstitutionFile>(root);
        binder.ThrowIfAny();
        return file!.ToDocument();
    }

    public ConstitutionDocument ToDocument() => new(Name,
        Principles.Select(p => new Principle(p.Id, p.CritiqueRequest, p.RevisionRequest, p.ComparisonQuestion)).ToList(),
        FewShot.Select(f => new FewShotExample(f.Prompt, f.Response, f.Critique, f.Revision)).ToList());
}

/// <summary>One principle as written.</summary>
public sealed record PrincipleEntry
{
    /// <summary>Stable id recorded in every row the principle produced.</summary>
    public required string Id { get; init; }

    /// <summary>Asks the critic how the last response violates the principle.</summary>
    public required string CritiqueRequest { get; init; }

    /// <summary>Asks the reviser to rewrite the response accordingly.</summary>
    public required string RevisionRequest { get; init; }

    /// <summary>Asks the feedback model which of two responses better follows the principle.</summary>
    public required string ComparisonQuestion { get; init; }
}

/// <summary>One few-shot example as written.</summary>
public sealed record FewShotEntry
{
    /// <summary>The human's request.</summary>
    public required string Prompt { get; init; }

    /// <summary>The flawed first response.</summary>
    public required string Response { get; init; }

    /// <summary>Its critique.</summary>
    public required string Critique { get; init; }

    /// <summary>Its revision.</summary>
    public required string Revision { get; init; }
}
