import { Command } from "commander";
import { describeAutoChoice, listAdapters, releaseBackend } from "../gpu/device.ts";
import { hardwareAdvice, probeDrivers } from "../gpu/driver-advice.ts";
import { GAMMA_VERSION } from "../version.ts";
import { addGlobals, readGlobals } from "./globals.ts";

const KEY_LIMITS = [
  "maxStorageBufferBindingSize",
  "maxBufferSize",
  "maxComputeWorkgroupsPerDimension",
  "maxComputeInvocationsPerWorkgroup",
  "maxComputeWorkgroupStorageSize",
];

export function doctorCommand(): Command {
  return addGlobals(new Command("doctor"))
    .description(
      "Show the WebGPU adapters found (vendor, architecture, software or not), their key limits, what --device auto would choose and why, and whether a hardware adapter is there (if not, which Vulkan driver to install for the GPU on the PCI bus).",
    )
    .option("--json", "print the findings as JSON on stdout")
    .action(async (o) => {
      readGlobals(o);
      const adapters = await listAdapters();
      const auto = await describeAutoChoice();
      releaseBackend();
      const hardware = hardwareAdvice(adapters, probeDrivers());
      if (o.json) {
        process.stdout.write(
          JSON.stringify(
            { gamma_version: GAMMA_VERSION, platform: `${process.platform}-${process.arch}`, adapters, auto, hardware },
            null,
            2,
          ) + "\n",
        );
        return;
      }
      const lines = [`gamma ${GAMMA_VERSION} on ${process.platform}-${process.arch}`, `WebGPU adapters found: ${adapters.length}`];
      for (const a of adapters) {
        lines.push(
          `  - ${a.description || a.device || "(unnamed)"}: vendor ${a.vendor || "?"}, architecture ${a.architecture || "?"}, ${a.software ? "software (CPU emulation)" : "hardware"}`,
        );
        for (const k of KEY_LIMITS) if (a.limits[k] !== undefined) lines.push(`      ${k} = ${a.limits[k]}`);
      }
      lines.push(`--device auto: ${auto}`, `hardware: ${hardware.advice}`);
      process.stdout.write(lines.join("\n") + "\n");
    });
}
