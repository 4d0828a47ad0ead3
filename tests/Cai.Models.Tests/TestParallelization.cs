// Test worlds build random checkpoints from torch's process-wide generator (manual_seed, then module init); classes
// running in parallel would draw from it between the seed and the init and change the models.
[assembly: Xunit.v3.Parallelization(Mode = Xunit.Sdk.ParallelMode.None)]
