// Browser-safe report module: PNG encoding, image grids, plots (raster and SVG) and the HTML report.
export { CATEGORICAL_COLORS, labelColor, luma, parseColor } from "./color.js";
export type { Rgba } from "./color.js";
export { createImage, drawLine, fillDisc, fillRect, pixelAt, setPixel } from "./raster.js";
export type { RgbaImage } from "./raster.js";
export { bytesToBase64, encodePng, pngDataUri } from "./png.js";
export type { PngImage } from "./png.js";
export { gridLayout, imageGrid, placeImagesAt } from "./images.js";
export type { GridLayout, ImageGridOptions, PlaceImagesOptions } from "./images.js";
export { extent, formatTick, linearScale, niceTicks } from "./scale.js";
export { barChartRaster, densityRaster, lineChartRaster, paddedExtent, scatterRaster, splitPoints } from "./charts.js";
export type { Bar, LineSeries, RasterChartOptions } from "./charts.js";
export { barChartSvg, heatmapSvg, imageGridSvg, lineChartSvg, scatterSvg } from "./svg.js";
export type { ImageGridSvgOptions, SvgChartOptions } from "./svg.js";
export { escapeHtml } from "./escape.js";
export { confusionMatrix } from "./confusion.js";
export {
  figurePath,
  formatMetric,
  pngFigure,
  renderReportHtml,
  reportFiles,
  reportJson,
  slug,
  svgFigure,
} from "./html.js";
export type { Figure, Report, ReportSection, Table } from "./html.js";
