/**
 * The tiled image used to be a react-konva shape drawn through a Konva layer and then copied into
 * the editor's shown bitmap (two full-canvas passes per redraw). It is now drawn straight into that
 * bitmap by TileRenderer (tile-renderer.ts); the stats stay importable from here.
 */
export { emptyTiledImageStats, type TiledImageStats } from "./tile-renderer";
