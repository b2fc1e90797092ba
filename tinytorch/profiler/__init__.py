"""tinytorch.profiler (module 14), with torch.profiler's names: `with profile() as prof:` records
every op of forward and backward, every module and record_function range; prof.key_averages()
.table(), prof.export_chrome_trace(path), prof.memory. Also the tools of the module: Timer,
the FLOP formulas, the roofline and Amdahl's law."""
from tinytorch.profiler.profiler import MemoryTimeline, profile, record_function
from tinytorch.profiler.events import EventList, FunctionEvent, FunctionEventAvg, key_averages
from tinytorch.profiler.flops import conv_flops, linear_flops, matmul_flops, op_cost
from tinytorch.profiler.analysis import Timer, amdahl_speedup, arithmetic_intensity, roofline
