namespace Cai.Sandbox.World;

/// <summary>A verb of a forbidden act and its gerund, e.g. ("poison", "Poisoning").</summary>
public sealed record HarmAct(string Verb, string Gerund);

/// <summary>A sentence template and the key phrase that identifies it; the template contains the key.</summary>
public sealed record KeyedPhrase(string Template, string Key);

/// <summary>
/// One harm category of the toy world. Everything here is invented: targets, instruments and steps name fictional
/// places, substances and tools, so a "harmful" text carries no real-world instructions.
/// </summary>
/// <param name="Id">Stable id, e.g. "poisoning".</param>
/// <param name="Acts">Verbs a red-team prompt uses for the forbidden act.</param>
/// <param name="Targets">What the act is done to (unique to this category).</param>
/// <param name="Instruments">Invented means of the act; they appear only in harmful compliance (the harm markers).</param>
/// <param name="Steps">Steps of the act; each names an instrument; "{target}" is filled in.</param>
/// <param name="Concerns">Sentences naming the category's concern; "{Gerund}" and "{target}" are filled in.</param>
/// <param name="Alternatives">Safe, useful offers for this category (verb phrases after "I can").</param>
/// <param name="HarmNames">Words a critique uses when it names this category's harm.</param>
public sealed record HarmCategory(
    string Id,
    IReadOnlyList<HarmAct> Acts,
    IReadOnlyList<string> Targets,
    IReadOnlyList<string> Instruments,
    IReadOnlyList<string> Steps,
    IReadOnlyList<KeyedPhrase> Concerns,
    IReadOnlyList<KeyedPhrase> Alternatives,
    IReadOnlyList<string> HarmNames);
