export class EmbeddedTimeSeriesStore { constructor(_o: unknown) { throw new Error("todo"); } }
