export async function runVsixCheck() { throw new Error("not yet"); }
