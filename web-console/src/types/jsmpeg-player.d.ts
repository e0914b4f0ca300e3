/** The part of @cycjimmy/jsmpeg-player (JSMpeg 0.2 API) the console uses; the package ships no types. */
declare module '@cycjimmy/jsmpeg-player' {
  export interface JSMpegPlayerOptions {
    canvas?: HTMLCanvasElement;
    audio?: boolean;
    disableGl?: boolean;
    disableWebAssembly?: boolean;
    pauseWhenHidden?: boolean;
    videoBufferSize?: number;
    reconnectInterval?: number;
    onVideoDecode?: (decoder: unknown, time: number) => void;
    onSourceCompleted?: () => void;
  }
  export interface JSMpegPlayer {
    destroy(): void;
    play(): void;
  }
  const JSMpeg: {
    Player: new (url: string, options: JSMpegPlayerOptions) => JSMpegPlayer;
  };
  export default JSMpeg;
}
